import { MsflError } from '../errors/msflError.ts'
import type { SecaggCrypto } from '../ports/secaggCrypto.ts'
import type { SecaggIdentity, SecaggVerifier } from '../ports/secaggIdentity.ts'
import { buildNeighbourhoods, seededRandomBytes } from './neighbourhoods.ts'
import { applyMask, pairwiseMaskInfo, pairwiseMaskSign } from './pairwiseMasks.ts'
import { quantiseInto } from './quantisation.ts'
import {
  type AdvertisedState,
  fail,
  type MaskedState,
  type SharedState,
} from './secaggClientState.ts'
import type {
  KeysMessage,
  MaskedInputMessage,
  MaskedInputRequest,
  RosterMessage,
  SetupMessage,
  SharesMessage,
} from './secaggMessages.ts'
import { checkSecaggParameters, type SecaggParameters } from './secaggParameters.ts'
import { shareSecret } from './shamir.ts'
import {
  decodeShareBundle,
  encodeShareBundle,
  type ShareBundle,
  shareAssociatedData,
  shareKeyInfo,
} from './shareBundle.ts'
import { advertisementStatement, rosterDigest } from './signedStatements.ts'

/**
 * One client's side of secure aggregation up to its masked input, as pure steps: each
 * takes the state the previous one returned and a parsed server message, and returns the
 * next state and the reply (the consistency check and unmasking are in
 * secaggClientReveal.ts). Every step checks what the server claims against what the
 * client already knows — its peers' signatures included — and throws
 * MsflError('PROTOCOL') rather than continue on an inconsistency.
 */

const equalBytes = (a: Uint8Array, b: Uint8Array) =>
  a.length === b.length && a.every((x, i) => x === b[i])

/** advertise-keys: checks the parameters, draws two fresh key pairs and signs them. */
export function advertiseKeys(
  clientId: string,
  setup: SetupMessage,
  crypto: SecaggCrypto,
  identity: SecaggIdentity,
): { state: AdvertisedState; reply: KeysMessage } {
  const parameters: SecaggParameters = {
    session: setup.session,
    clients: setup.clients,
    threshold: setup.threshold,
    dimension: setup.dimension,
    quantisation: { clip: setup.clip, levels: setup.levels },
    degree: setup.degree,
  }
  try {
    checkSecaggParameters(parameters)
  } catch (error) {
    if (error instanceof MsflError) fail(`refusing secure-aggregation parameters: ${error.message}`)
    throw error
  }
  if (setup.index > setup.clients)
    fail(`index ${setup.index} is beyond the ${setup.clients} clients`)
  const encryption = crypto.generateKeyPair()
  const mask = crypto.generateKeyPair()
  return {
    state: { phase: 'advertised', clientId, index: setup.index, parameters, encryption, mask },
    reply: {
      type: 'secagg-keys',
      session: setup.session,
      clientId,
      encryptionKey: encryption.publicKey,
      maskKey: mask.publicKey,
      credential: identity.credential,
      signature: identity.sign(
        advertisementStatement(
          setup.session,
          clientId,
          setup.index,
          encryption.publicKey,
          mask.publicKey,
        ),
      ),
    },
  }
}

/**
 * share-keys: verifies every signed advertisement of the roster U1, redraws the
 * neighbour graph from the roster's digest, then Shamir-shares s_u^SK and a fresh b_u
 * among its neighbourhood, one sealed bundle per neighbour.
 */
export function shareKeys(
  state: AdvertisedState,
  roster: RosterMessage,
  crypto: SecaggCrypto,
  identity: SecaggIdentity,
): { state: SharedState; reply: SharesMessage } {
  const { parameters: p, clientId } = state
  const members = new Map<string, number>()
  const byIndex = new Map<number, RosterMessage['peers'][number]>()
  const verifiers = new Map<string, SecaggVerifier>()
  const keys = new Set<string>()
  for (const peer of roster.peers) {
    const name = JSON.stringify(peer.clientId)
    if (members.has(peer.clientId)) fail(`roster lists ${name} twice`)
    if (peer.index > p.clients || byIndex.has(peer.index))
      fail(`roster index ${peer.index} is out of range or repeated`)
    // Equal public keys would make two clients' masks or share keys collide.
    for (const k of [peer.encryptionKey, peer.maskKey]) {
      const hex = Array.from(k, (b) => b.toString(16).padStart(2, '0')).join('')
      if (keys.has(hex)) fail(`roster repeats a public key (at ${name})`)
      keys.add(hex)
    }
    let verifier: SecaggVerifier
    try {
      verifier = identity.verifierOf(peer.clientId, peer.credential)
    } catch (error) {
      if (error instanceof MsflError) fail(`roster entry of ${name}: ${error.message}`)
      throw error
    }
    const statement = advertisementStatement(
      p.session,
      peer.clientId,
      peer.index,
      peer.encryptionKey,
      peer.maskKey,
    )
    if (!verifier!.verify(statement, peer.signature))
      fail(
        `the keys advertised for ${name} do not carry its signature (swapped or forged by the server)`,
      )
    members.set(peer.clientId, peer.index)
    byIndex.set(peer.index, peer)
    verifiers.set(peer.clientId, verifier!)
  }
  const self = byIndex.get(state.index)
  if (
    !self ||
    self.clientId !== clientId ||
    !equalBytes(self.encryptionKey, state.encryption.publicKey) ||
    !equalBytes(self.maskKey, state.mask.publicKey)
  )
    fail('roster does not list this client with the index and keys it advertised')
  // The graph comes from the verified roster, not from the server: it cannot seat chosen
  // clients next to this one.
  const digest = rosterDigest(crypto.hash, p.session, p.clients, p.degree, roster.peers)
  const graph = buildNeighbourhoods(
    p.clients,
    p.degree,
    seededRandomBytes(digest, crypto.expandMask),
  )
  const neighbourhood = [state.index, ...(graph.get(state.index) ?? [])]
    .filter((v) => byIndex.has(v))
    .sort((a, b) => a - b)
  const peers = new Map(neighbourhood.map((v) => [byIndex.get(v)!.clientId, byIndex.get(v)!]))
  if (peers.size < p.threshold)
    fail(
      `roster leaves ${peers.size} clients in this client's neighbourhood, fewer than the threshold ${p.threshold}`,
    )

  const selfMaskSeed = crypto.randomBytes(32)
  const holders = [...peers.entries()]
  const xs = holders.map(([, peer]) => peer.index)
  const keyShares = shareSecret(state.mask.secretKey, xs, p.threshold, crypto.randomBytes)
  const seedShares = shareSecret(selfMaskSeed, xs, p.threshold, crypto.randomBytes)
  const info = shareKeyInfo(p.session)
  const shares: { to: string; ciphertext: Uint8Array }[] = []
  const bundleKeys = new Map<string, Uint8Array>()
  let ownBundle: ShareBundle | undefined
  holders.forEach(([peerId, peer], i) => {
    const bundle = { secretKeyShare: keyShares[i]!, selfMaskShare: seedShares[i]! }
    if (peerId === clientId) {
      ownBundle = bundle
      return
    }
    const key = crypto.agree(state.encryption.secretKey, peer.encryptionKey, info)
    bundleKeys.set(peerId, key)
    const plaintext = encodeShareBundle(bundle)
    const ciphertext = crypto.seal(key, plaintext, shareAssociatedData(p.session, clientId, peerId))
    plaintext.fill(0)
    shares.push({ to: peerId, ciphertext })
  })
  return {
    state: {
      ...state,
      phase: 'shared',
      rosterDigest: digest,
      verifiers: new Map([...peers.keys()].map((id) => [id, verifiers.get(id)!])),
      members,
      peers,
      selfMaskSeed,
      ownBundle: ownBundle!,
      bundleKeys,
    },
    reply: { type: 'secagg-shares', session: p.session, clientId, shares },
  }
}

/**
 * masked-input: opens the bundles addressed to this client (the senders are the peers
 * it now pairs with), quantises the input and adds the self mask and the pairwise masks.
 */
export function maskInput(
  state: SharedState,
  request: MaskedInputRequest,
  input: Float64Array,
  crypto: SecaggCrypto,
): { state: MaskedState; reply: MaskedInputMessage } {
  const { parameters: p, clientId } = state
  if (!(input instanceof Float64Array) || input.length !== p.dimension)
    fail(`input must be a Float64Array of length ${p.dimension}`)
  const held = new Map<string, ShareBundle>([[clientId, state.ownBundle]])
  for (const { from, ciphertext } of request.shares) {
    const peer = state.peers.get(from)
    if (!peer || from === clientId) fail(`shares from ${JSON.stringify(from)}, who is not a peer`)
    if (held.has(from)) fail(`two share bundles from ${JSON.stringify(from)}`)
    let plaintext: Uint8Array
    try {
      plaintext = crypto.open(
        state.bundleKeys.get(from)!,
        ciphertext,
        shareAssociatedData(p.session, from, clientId),
      )
    } catch (error) {
      if (error instanceof MsflError)
        fail(`share bundle from ${JSON.stringify(from)}: ${error.message}`)
      throw error
    }
    held.set(from, decodeShareBundle(plaintext!, from))
    plaintext!.fill(0)
  }
  if (held.size < p.threshold)
    fail(
      `only ${held.size} clients (this one included) shared keys, fewer than the threshold ${p.threshold}`,
    )

  const masked = new Uint32Array(p.dimension)
  quantiseInto(input, p.quantisation, masked)
  applyMask(masked, crypto.expandMask(state.selfMaskSeed, p.dimension), 1)
  const maskInfo = pairwiseMaskInfo(p.session)
  for (const peerId of held.keys()) {
    if (peerId === clientId) continue
    const peer = state.peers.get(peerId)!
    const seed = crypto.agree(state.mask.secretKey, peer.maskKey, maskInfo)
    applyMask(
      masked,
      crypto.expandMask(seed, p.dimension),
      pairwiseMaskSign(state.index, peer.index),
    )
    seed.fill(0)
  }
  // Nothing below needs the seed or the secret keys again: the other clients hold shares.
  state.selfMaskSeed.fill(0)
  state.encryption.secretKey.fill(0)
  state.mask.secretKey.fill(0)
  for (const key of state.bundleKeys.values()) key.fill(0)
  const { peers: _peers, selfMaskSeed: _seed, ownBundle: _own, bundleKeys: _keys, ...base } = state
  return {
    state: { ...base, phase: 'masked', held },
    reply: {
      type: 'secagg-masked-input',
      session: p.session,
      clientId,
      masked: new Int32Array(masked.buffer, masked.byteOffset, masked.length),
    },
  }
}
