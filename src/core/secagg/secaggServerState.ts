import type { z } from 'zod'
import { describeZodError } from '../errors/describeZodError.ts'
import { MsflError } from '../errors/msflError.ts'
import type { Neighbourhoods } from './neighbourhoods.ts'
import type { SecaggStage } from './secaggMessages.ts'
import type { SecaggParameters } from './secaggParameters.ts'

/**
 * What the server knows between stages of one round, and the helpers its steps share
 * (secaggServer.ts, unmaskSum.ts). Clients are referred to by index 1..n; `ids` maps
 * back to their names. The state holds public keys, sealed bundles it cannot open and
 * the running sum of masked inputs: nothing secret.
 */
export interface Dropout {
  readonly clientId: string
  readonly stage: SecaggStage
  readonly reason: string
}

/** The replies of one stage, as the transport delivered them; a missing client timed out. */
export type StageReplies = ReadonlyMap<
  string,
  { readonly reply: unknown } | { readonly failure: string }
>

/** One client's signed advertisement, relayed unchanged to every client of U1. */
export interface AdvertisedKeys {
  readonly encryptionKey: Uint8Array
  readonly maskKey: Uint8Array
  readonly credential: Uint8Array
  readonly signature: Uint8Array
}

export interface SecaggServerState {
  readonly parameters: SecaggParameters
  /** ids[i − 1] is the client with index i. */
  readonly ids: readonly string[]
  readonly indexOf: ReadonlyMap<string, number>
  /** Drawn from the signed roster's digest once keys are in (empty before). */
  readonly graph: Neighbourhoods
  /** The stage whose replies the server waits for next. */
  readonly awaiting: SecaggStage
  readonly dropped: readonly Dropout[]
  /** U1: clients that advertised keys. */
  readonly keys: ReadonlyMap<number, AdvertisedKeys>
  /** U2: clients that shared keys, with their sealed bundles by recipient. */
  readonly bundles: ReadonlyMap<number, ReadonlyMap<number, Uint8Array>>
  /** U3: clients whose masked input is in `sum`. */
  readonly survivors: ReadonlySet<number>
  /** Σ y_u over U3 in Z_{2^32}. */
  readonly sum: Uint32Array | null
  /** U4: survivors that signed U3, with their signatures (relayed to their neighbours). */
  readonly signatures: ReadonlyMap<number, Uint8Array>
  /** Survivors that did not sign U3: their inputs are in the sum, but they reveal nothing. */
  readonly consistencyDropouts: readonly Dropout[]
}

/**
 * The state once a stage's replies are in: awaiting `next`, the stage's dropouts
 * appended to the record, and what the stage established (`learned`) merged in.
 */
export function advanceStage(
  state: SecaggServerState,
  next: SecaggStage,
  dropped: readonly Dropout[],
  learned: Partial<Omit<SecaggServerState, 'awaiting' | 'dropped'>>,
): SecaggServerState {
  return { ...state, ...learned, awaiting: next, dropped: [...state.dropped, ...dropped] }
}

export function abortRound(state: SecaggServerState, stage: SecaggStage, detail: string): never {
  throw new MsflError(
    'PROTOCOL',
    `secure aggregation ${JSON.stringify(state.parameters.session)} aborted at ${stage}: ${detail}`,
  )
}

/** Members of u's neighbourhood (u excluded) that are in `set`. */
export function neighboursIn(
  state: SecaggServerState,
  u: number,
  set: ReadonlySet<number>,
): number[] {
  return (state.graph.get(u) ?? []).filter((v) => set.has(v))
}

/**
 * Checks that at least t clients remain overall and, with a neighbourhood graph, in the
 * neighbourhood of every client in `centres` (counting the centre itself when
 * `withCentre`); otherwise aborts the round.
 */
export function requireThreshold(
  state: SecaggServerState,
  stage: SecaggStage,
  remaining: ReadonlySet<number>,
  centres: Iterable<number>,
  withCentre: boolean,
): void {
  const t = state.parameters.threshold
  if (remaining.size < t)
    abortRound(
      state,
      stage,
      `${remaining.size} of ${state.ids.length} clients remain, threshold is ${t}`,
    )
  if (state.parameters.degree === null) return
  for (const u of centres) {
    const count = neighboursIn(state, u, remaining).length + (withCentre ? 1 : 0)
    if (count < t)
      abortRound(
        state,
        stage,
        `${count} clients remain in the neighbourhood of ${JSON.stringify(state.ids[u - 1])}, threshold is ${t}`,
      )
  }
}

/**
 * Parses the replies of the clients in `expected` with `parse`; anything missing,
 * failed, an error reply, malformed, from the wrong round or signed by another id
 * becomes a dropout with its reason.
 */
export function readReplies<T extends { session: string; clientId: string }>(
  state: SecaggServerState,
  stage: SecaggStage,
  replies: StageReplies,
  expected: Iterable<number>,
  schema: z.ZodType<T>,
): { accepted: Map<number, T>; dropped: Dropout[] } {
  const accepted = new Map<number, T>()
  const dropped: Dropout[] = []
  for (const index of expected) {
    const clientId = state.ids[index - 1]!
    const drop = (reason: string) => dropped.push({ clientId, stage, reason })
    const entry = replies.get(clientId)
    if (!entry) {
      drop('no reply before the stage timeout')
      continue
    }
    if ('failure' in entry) {
      drop(entry.failure)
      continue
    }
    const reply = entry.reply as { type?: unknown; message?: unknown }
    if (typeof reply === 'object' && reply !== null && reply.type === 'error') {
      drop(`client error: ${String(reply.message)}`)
      continue
    }
    const parsed = schema.safeParse(entry.reply)
    if (!parsed.success) drop(`malformed reply: ${describeZodError(parsed.error)}`)
    else if (parsed.data.session !== state.parameters.session)
      drop(`reply is for session ${JSON.stringify(parsed.data.session)}`)
    else if (parsed.data.clientId !== clientId)
      drop(`reply claims to come from ${JSON.stringify(parsed.data.clientId)}`)
    else accepted.set(index, parsed.data)
  }
  return { accepted, dropped }
}

/** Whether two id lists name the same set (each at most once). */
export function sameMembers(listed: readonly string[], expected: ReadonlySet<string>): boolean {
  const seen = new Set(listed)
  return (
    seen.size === listed.length &&
    seen.size === expected.size &&
    listed.every((id) => expected.has(id))
  )
}
