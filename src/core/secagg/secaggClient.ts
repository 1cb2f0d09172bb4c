import { MsflError } from '../errors/msflError.ts'
import type { SecaggCrypto, SecaggKeyPair } from '../ports/secaggCrypto.ts'
import { applyMask, pairwiseMaskInfo, pairwiseMaskSign } from './pairwiseMasks.ts'
import { fieldToBytes } from './primeField.ts'
import { quantiseInto } from './quantisation.ts'
import type {
  KeysMessage,
  MaskedInputMessage,
  MaskedInputRequest,
  RosterMessage,
  SetupMessage,
  SharesMessage,
  UnmaskMessage,
  UnmaskRequest,
} from './secaggMessages.ts'
import {
  checkSecaggParameters,
  neighbourhoodSize,
  type SecaggParameters,
} from './secaggParameters.ts'
import { shareSecret } from './shamir.ts'
import {
  decodeShareBundle,
  encodeShareBundle,
  type ShareBundle,
  shareAssociatedData,
  shareKeyInfo,
} from './shareBundle.ts'

/**
 * One client's side of secure aggregation as four pure steps, each taking the state
 * the previous one returned and a parsed server message, and returning the next state
 * and the reply. The state holds the client's secrets and never leaves the client.
 * Every step checks what the server claims against what the client already knows,
 * and throws MsflError('PROTOCOL') rather than continue on an inconsistency.
 */
interface Base {
  readonly clientId: string
  readonly index: number
  readonly parameters: SecaggParameters
  /** c_u: agreement keys for share encryption. */
  readonly encryption: SecaggKeyPair
  /** s_u: agreement keys for pairwise masks; s_u^SK is Shamir-shared. */
  readonly mask: SecaggKeyPair
}

export interface AdvertisedState extends Base {
  readonly phase: 'advertised'
}

export interface SharedState extends Base {
  readonly phase: 'shared'
  /** The roster, by client id (itself included). */
  readonly peers: ReadonlyMap<
    string,
    { readonly index: number; readonly encryptionKey: Uint8Array; readonly maskKey: Uint8Array }
  >
  /** b_u, the self-mask seed. */
  readonly selfMaskSeed: Uint8Array
  /** The client's own shares of s_u^SK and b_u. */
  readonly ownBundle: ShareBundle
  /** The key shared with each peer for bundles (derived once, used both ways). */
  readonly bundleKeys: ReadonlyMap<string, Uint8Array>
}

export interface MaskedState extends Base {
  readonly phase: 'masked'
  /** Shares held for each client paired with this one (itself included): U2 ∩ neighbourhood. */
  readonly held: ReadonlyMap<string, ShareBundle>
}

export type SecaggClientState = AdvertisedState | SharedState | MaskedState

function fail(message: string): never {
  throw new MsflError('PROTOCOL', message)
}
const equalBytes = (a: Uint8Array, b: Uint8Array) =>
  a.length === b.length && a.every((x, i) => x === b[i])

/** advertise-keys: checks the parameters and draws two fresh key pairs. */
export function advertiseKeys(
  clientId: string,
  setup: SetupMessage,
  crypto: SecaggCrypto,
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
    },
  }
}

/** share-keys: Shamir-shares s_u^SK and a fresh b_u among the roster, one sealed bundle per peer. */
export function shareKeys(
  state: AdvertisedState,
  roster: RosterMessage,
  crypto: SecaggCrypto,
): { state: SharedState; reply: SharesMessage } {
  const { parameters: p, clientId } = state
  const peers = new Map<string, { index: number; encryptionKey: Uint8Array; maskKey: Uint8Array }>()
  const indices = new Set<number>()
  const keys = new Set<string>()
  for (const peer of roster.peers) {
    if (peers.has(peer.clientId)) fail(`roster lists ${JSON.stringify(peer.clientId)} twice`)
    if (peer.index > p.clients || indices.has(peer.index))
      fail(`roster index ${peer.index} is out of range or repeated`)
    // Equal public keys would make two clients' masks or share keys collide.
    for (const k of [peer.encryptionKey, peer.maskKey]) {
      const hex = Array.from(k, (b) => b.toString(16).padStart(2, '0')).join('')
      if (keys.has(hex)) fail(`roster repeats a public key (at ${JSON.stringify(peer.clientId)})`)
      keys.add(hex)
    }
    indices.add(peer.index)
    peers.set(peer.clientId, peer)
  }
  const self = peers.get(clientId)
  if (
    !self ||
    self.index !== state.index ||
    !equalBytes(self.encryptionKey, state.encryption.publicKey) ||
    !equalBytes(self.maskKey, state.mask.publicKey)
  )
    fail('roster does not list this client with the index and keys it advertised')
  if (peers.size > neighbourhoodSize(p))
    fail(`roster has ${peers.size} peers, more than a neighbourhood of ${neighbourhoodSize(p)}`)
  if (peers.size < p.threshold)
    fail(`roster has ${peers.size} clients, fewer than the threshold ${p.threshold}`)

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
    state: { ...state, phase: 'shared', peers, selfMaskSeed, ownBundle: ownBundle!, bundleKeys },
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

/**
 * unmasking: for each paired client the server reports as a survivor, the share of its
 * self-mask seed; for each paired client it does not, the share of its mask secret key.
 * Never both for one client: with b_v and s_v^SK the server could strip every mask from
 * y_v and read v's input. This is the client's last step in the round.
 */
export function revealShares(state: MaskedState, request: UnmaskRequest): UnmaskMessage {
  const { parameters: p, clientId } = state
  const survivors = new Set<string>()
  for (const id of request.survivors) {
    if (!state.held.has(id))
      fail(
        `server names ${JSON.stringify(id)} a survivor, but it never shared keys with this client`,
      )
    if (survivors.has(id)) fail(`server names ${JSON.stringify(id)} a survivor twice`)
    survivors.add(id)
  }
  if (!survivors.has(clientId)) fail('server does not count this client among the survivors')
  if (survivors.size < p.threshold)
    fail(`only ${survivors.size} survivors reported, fewer than the threshold ${p.threshold}`)
  const selfMaskShares: { of: string; share: Uint8Array }[] = []
  const secretKeyShares: { of: string; share: Uint8Array }[] = []
  for (const [id, bundle] of state.held) {
    if (survivors.has(id))
      selfMaskShares.push({ of: id, share: fieldToBytes(bundle.selfMaskShare) })
    else secretKeyShares.push({ of: id, share: fieldToBytes(bundle.secretKeyShare) })
  }
  return { type: 'secagg-unmask', session: p.session, clientId, selfMaskShares, secretKeyShares }
}

/** Best-effort erasure of the secrets a state holds (JavaScript cannot promise more). */
export function eraseClientState(state: SecaggClientState): void {
  state.encryption.secretKey.fill(0)
  state.mask.secretKey.fill(0)
  if (state.phase === 'shared') {
    state.selfMaskSeed.fill(0)
    for (const key of state.bundleKeys.values()) key.fill(0)
  }
}
