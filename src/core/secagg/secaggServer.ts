import { MsflError } from '../errors/msflError.ts'
import type { SecaggCrypto } from '../ports/secaggCrypto.ts'
import { buildNeighbourhoods, isConnectedAmong, seededRandomBytes } from './neighbourhoods.ts'
import { defaultLevels } from './quantisation.ts'
import {
  type ConsistencyRequest,
  consistencySchema,
  keysSchema,
  type MaskedInputRequest,
  maskedInputSchema,
  type RosterMessage,
  type SetupMessage,
  sharesSchema,
  type UnmaskRequest,
} from './secaggMessages.ts'
import { checkSecaggParameters, type SecaggParameters } from './secaggParameters.ts'
import {
  type AdvertisedKeys,
  abortRound,
  advanceStage,
  neighboursIn,
  readReplies,
  requireThreshold,
  type SecaggServerState,
  type StageReplies,
  sameMembers,
} from './secaggServerState.ts'
import { SEALED_BUNDLE_BYTES } from './shareBundle.ts'
import { rosterDigest } from './signedStatements.ts'

/**
 * The server's side of secure aggregation, one pure step per stage: each takes the
 * state and the stage's replies (see runtime/secagg/runSecureAggregation.ts for the
 * driver that collects them under a timeout) and returns the next state and the
 * requests to send. A step throws MsflError('PROTOCOL') — the round aborts with no
 * output — as soon as fewer than t clients remain. The last step is unmaskSum.ts.
 * The server checks no signature: it relays the owners' signed advertisements and
 * consistency signatures, and the owners check them (secaggClient.ts, secaggClientReveal.ts).
 */
export interface SecaggRoundConfig {
  readonly session: string
  /** The invited clients; their order fixes their indices 1..n. */
  readonly clients: readonly string[]
  readonly threshold: number
  readonly dimension: number
  /** Inputs are clipped to [−clip, clip]; levels defaults to the finest that cannot overflow. */
  readonly quantisation: { readonly clip: number; readonly levels?: number }
  /** SecAgg+ neighbourhood degree (even); omitted or null: every client pairs with every other. */
  readonly degree?: number | null
}

type Step<R> = { readonly state: SecaggServerState; readonly requests: ReadonlyMap<string, R> }

/** Validates the configuration and builds the setup messages. */
export function startSecaggServer(config: SecaggRoundConfig): Step<SetupMessage> {
  const ids = [...config.clients]
  const indexOf = new Map<string, number>()
  ids.forEach((id, i) => {
    if (typeof id !== 'string' || id.length < 1 || id.length > 200)
      throw new MsflError(
        'CONFIG_INVALID',
        `secagg client id at position ${i} must be 1 to 200 characters`,
      )
    if (indexOf.has(id))
      throw new MsflError('CONFIG_INVALID', `secagg client ${JSON.stringify(id)} is listed twice`)
    indexOf.set(id, i + 1)
  })
  const parameters: SecaggParameters = {
    session: config.session,
    clients: ids.length,
    threshold: config.threshold,
    dimension: config.dimension,
    quantisation: {
      clip: config.quantisation.clip,
      levels: config.quantisation.levels ?? defaultLevels(Math.max(ids.length, 1)),
    },
    degree: config.degree ?? null,
  }
  checkSecaggParameters(parameters)
  const state: SecaggServerState = {
    parameters,
    ids,
    indexOf,
    graph: new Map(),
    awaiting: 'advertise-keys',
    dropped: [],
    keys: new Map(),
    bundles: new Map(),
    survivors: new Set(),
    sum: null,
    signatures: new Map(),
    consistencyDropouts: [],
  }
  const requests = new Map<string, SetupMessage>()
  ids.forEach((id, i) => {
    requests.set(id, {
      type: 'secagg-setup',
      session: parameters.session,
      index: i + 1,
      clients: parameters.clients,
      threshold: parameters.threshold,
      dimension: parameters.dimension,
      clip: parameters.quantisation.clip,
      levels: parameters.quantisation.levels,
      degree: parameters.degree,
    })
  })
  return { state, requests }
}

function expectStage(state: SecaggServerState, stage: SecaggServerState['awaiting']): void {
  if (state.awaiting !== stage)
    throw new MsflError(
      'PROTOCOL',
      `server step for ${stage} called while awaiting ${state.awaiting}`,
    )
}

/**
 * advertise-keys → share-keys: draws the neighbour graph from the digest of the signed
 * roster U1 (as every client will redraw it) and sends every client of U1 the whole roster.
 */
export function acceptKeys(
  state: SecaggServerState,
  replies: StageReplies,
  crypto: Pick<SecaggCrypto, 'hash' | 'expandMask'>,
): Step<RosterMessage> {
  expectStage(state, 'advertise-keys')
  const all = state.ids.map((_, i) => i + 1)
  const { accepted, dropped } = readReplies(state, 'advertise-keys', replies, all, keysSchema)
  // Two clients with one public key would share masks or bundle keys: drop every holder.
  const owners = new Map<string, number[]>()
  for (const [u, m] of accepted)
    for (const key of [m.encryptionKey, m.maskKey]) {
      const hex = Array.from(key, (b) => b.toString(16).padStart(2, '0')).join('')
      owners.set(hex, [...(owners.get(hex) ?? []), u])
    }
  for (const holders of owners.values())
    if (holders.length > 1)
      for (const u of holders)
        if (accepted.delete(u))
          dropped.push({
            clientId: state.ids[u - 1]!,
            stage: 'advertise-keys',
            reason: 'public key shared with another client',
          })
  const keys = new Map<number, AdvertisedKeys>()
  for (const [u, m] of [...accepted].sort(([a], [b]) => a - b))
    keys.set(u, {
      encryptionKey: m.encryptionKey,
      maskKey: m.maskKey,
      credential: m.credential,
      signature: m.signature,
    })
  const { session, clients, degree } = state.parameters
  const peers = [...keys].map(([v, k]) => ({ clientId: state.ids[v - 1]!, index: v, ...k }))
  const seed = rosterDigest(crypto.hash, session, clients, degree, peers)
  const graph = buildNeighbourhoods(clients, degree, seededRandomBytes(seed, crypto.expandMask))
  const next = advanceStage(state, 'share-keys', dropped, { keys, graph })
  const u1 = new Set(keys.keys())
  requireThreshold(next, 'advertise-keys', u1, u1, true)
  const roster: RosterMessage = { type: 'secagg-roster', session, peers }
  return { state: next, requests: new Map([...u1].map((u) => [next.ids[u - 1]!, roster])) }
}

/** share-keys → masked-input: routes each sealed bundle to its recipient. */
export function acceptShares(
  state: SecaggServerState,
  replies: StageReplies,
): Step<MaskedInputRequest> {
  expectStage(state, 'share-keys')
  const u1 = new Set(state.keys.keys())
  const { accepted, dropped } = readReplies(state, 'share-keys', replies, u1, sharesSchema)
  const bundles = new Map<number, Map<number, Uint8Array>>()
  for (const [u, m] of accepted) {
    // A client must seal a bundle for every peer it was sent: pairing is symmetric only
    // if u pairs with exactly the peers that can open u's shares.
    const expected = new Set(neighboursIn(state, u, u1).map((v) => state.ids[v - 1]!))
    const wellFormed = m.shares.every((s) => s.ciphertext.length === SEALED_BUNDLE_BYTES)
    if (
      !sameMembers(
        m.shares.map((s) => s.to),
        expected,
      ) ||
      !wellFormed
    ) {
      dropped.push({
        clientId: state.ids[u - 1]!,
        stage: 'share-keys',
        reason: wellFormed
          ? 'shares are not addressed to exactly its roster'
          : `a sealed bundle is not ${SEALED_BUNDLE_BYTES} bytes`,
      })
      continue
    }
    bundles.set(u, new Map(m.shares.map((s) => [state.indexOf.get(s.to)!, s.ciphertext])))
  }
  const next = advanceStage(state, 'masked-input', dropped, { bundles })
  const u2 = new Set(bundles.keys())
  requireThreshold(next, 'share-keys', u2, u2, true)
  const requests = new Map<string, MaskedInputRequest>()
  for (const v of u2)
    requests.set(next.ids[v - 1]!, {
      type: 'secagg-masked-input-request',
      session: next.parameters.session,
      shares: neighboursIn(next, v, u2).map((u) => ({
        from: next.ids[u - 1]!,
        ciphertext: bundles.get(u)!.get(v)!,
      })),
    })
  return { state: next, requests }
}

/** masked-input → consistency-check: sums the masked inputs and sends every survivor U3 to sign. */
export function acceptMaskedInputs(
  state: SecaggServerState,
  replies: StageReplies,
): Step<ConsistencyRequest> {
  expectStage(state, 'masked-input')
  const d = state.parameters.dimension
  const u2 = new Set(state.bundles.keys())
  const { accepted, dropped } = readReplies(state, 'masked-input', replies, u2, maskedInputSchema)
  const sum = new Uint32Array(d)
  const survivors = new Set<number>()
  for (const [u, m] of accepted) {
    if (m.masked.length !== d) {
      dropped.push({
        clientId: state.ids[u - 1]!,
        stage: 'masked-input',
        reason: `masked input has ${m.masked.length} values, expected ${d}`,
      })
      continue
    }
    const y = new Uint32Array(m.masked.buffer, m.masked.byteOffset, d)
    for (let i = 0; i < d; i++) sum[i]! += y[i]!
    survivors.add(u)
  }
  const next = advanceStage(state, 'consistency-check', dropped, { survivors, sum })
  const droppedHere = [...u2].filter((u) => !survivors.has(u))
  // Survivors' self-masks need t holders; so do the secret keys of dropped clients
  // whose masks some survivor added.
  requireThreshold(next, 'masked-input', survivors, survivors, true)
  requireThreshold(
    next,
    'masked-input',
    survivors,
    droppedHere.filter((u) => neighboursIn(next, u, survivors).length > 0),
    false,
  )
  // Pairwise masks cancel only within a connected part of the survivors' graph; each
  // part's sum would be exposed on its own.
  if (next.parameters.degree !== null && !isConnectedAmong(survivors, next.graph))
    abortRound(next, 'masked-input', 'the survivors\u2019 neighbourhood graph is disconnected')
  const request: ConsistencyRequest = {
    type: 'secagg-consistency-request',
    session: next.parameters.session,
    survivors: [...survivors].sort((a, b) => a - b).map((u) => next.ids[u - 1]!),
  }
  return { state: next, requests: new Map([...survivors].map((v) => [next.ids[v - 1]!, request])) }
}

/**
 * consistency-check → unmasking: keeps the survivors that signed U3 (U4) and sends each
 * its neighbours in U3 and the signatures of its neighbours in U4, for it to check.
 */
export function acceptConsistency(
  state: SecaggServerState,
  replies: StageReplies,
): Step<UnmaskRequest> {
  expectStage(state, 'consistency-check')
  const { survivors } = state
  const read = readReplies(state, 'consistency-check', replies, survivors, consistencySchema)
  const signatures = new Map([...read.accepted].map(([u, m]) => [u, m.signature]))
  // Those who did not sign stay in U3 (their inputs are in the sum); they only stop helping.
  const next = advanceStage(state, 'unmasking', [], {
    signatures,
    consistencyDropouts: read.dropped,
  })
  const u4 = new Set(signatures.keys())
  requireThreshold(next, 'consistency-check', u4, u4, true)
  const requests = new Map<string, UnmaskRequest>()
  for (const v of u4)
    requests.set(next.ids[v - 1]!, {
      type: 'secagg-unmask-request',
      session: next.parameters.session,
      survivors: [v, ...neighboursIn(next, v, survivors)].map((u) => next.ids[u - 1]!),
      signatures: [v, ...neighboursIn(next, v, u4)].map((u) => ({
        clientId: next.ids[u - 1]!,
        signature: signatures.get(u)!,
      })),
    })
  return { state: next, requests }
}
