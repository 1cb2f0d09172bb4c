import { MsflError } from '../errors/msflError.ts'
import type { SecaggCrypto } from '../ports/secaggCrypto.ts'
import { applyMask, pairwiseMaskInfo, pairwiseMaskSign } from './pairwiseMasks.ts'
import { fieldFromBytes } from './primeField.ts'
import { dequantiseSum, quantisationErrorBound } from './quantisation.ts'
import { unmaskSchema } from './secaggMessages.ts'
import {
  abortRound,
  type Dropout,
  neighboursIn,
  readReplies,
  type SecaggServerState,
  type StageReplies,
  sameMembers,
} from './secaggServerState.ts'
import { type LagrangeCache, reconstructSecret, type ShamirShare } from './shamir.ts'

/** The result of a completed round. */
export interface SecaggOutcome {
  /** Σ clip(x_u) over the survivors, dequantised; within `errorBound` of the exact sum per coordinate. */
  readonly sum: Float64Array
  /** Clients whose inputs are in the sum, by index order. */
  readonly survivors: readonly string[]
  /** Clients whose inputs are not in the sum, with the stage and reason. */
  readonly dropped: readonly Dropout[]
  /** Survivors that did not sign U3 or did not help unmask (their inputs are still in the sum). */
  readonly unmaskingDropouts: readonly Dropout[]
  /** Per-coordinate bound on |sum − Σ clip(x_u)| (see quantisation.ts). */
  readonly errorBound: number
}

const equalBytes = (a: Uint8Array, b: Uint8Array) =>
  a.length === b.length && a.every((x, i) => x === b[i])

/**
 * unmasking → result. Each responding survivor v must reveal exactly the self-mask
 * shares of its surviving neighbours and the secret-key shares of its dropped ones
 * (anything else is discarded). With t shares per secret the server rebuilds b_u for
 * every survivor and s_u^SK for every dropped client, removes PRG(b_u) and the pairwise
 * masks survivors shared with dropped clients, and reads the sum back from Z_{2^32}.
 */
export function unmaskSum(
  state: SecaggServerState,
  replies: StageReplies,
  crypto: Pick<SecaggCrypto, 'agree' | 'expandMask' | 'publicKeyOf'>,
): SecaggOutcome {
  if (state.awaiting !== 'unmasking' || state.sum === null)
    abortRound(state, 'unmasking', `server called unmaskSum while awaiting ${state.awaiting}`)
  const { parameters: p, survivors, ids } = state
  const u2 = new Set(state.bundles.keys())
  const gone = [...u2].filter((u) => !survivors.has(u))
  const helpers = state.signatures.keys()
  const { accepted, dropped } = readReplies(state, 'unmasking', replies, helpers, unmaskSchema)

  const selfMaskShares = new Map<number, ShamirShare[]>()
  const keyShares = new Map<number, ShamirShare[]>()
  let revealed = 0
  for (const [v, m] of accepted) {
    const clientId = ids[v - 1]!
    const live = new Set([v, ...neighboursIn(state, v, survivors)].map((u) => ids[u - 1]!))
    const lost = new Set(
      neighboursIn(state, v, u2)
        .filter((u) => !survivors.has(u))
        .map((u) => ids[u - 1]!),
    )
    if (
      !sameMembers(
        m.selfMaskShares.map((s) => s.of),
        live,
      ) ||
      !sameMembers(
        m.secretKeyShares.map((s) => s.of),
        lost,
      )
    ) {
      dropped.push({
        clientId,
        stage: 'unmasking',
        reason: 'revealed shares do not match the survivors it was sent',
      })
      continue
    }
    // Decode everything first so that a bad share discards the whole reply, not part of it.
    let decoded: { into: Map<number, ShamirShare[]>; of: number; y: bigint }[]
    try {
      decoded = [
        ...m.selfMaskShares.map((s) => ({ into: selfMaskShares, of: s.of, share: s.share })),
        ...m.secretKeyShares.map((s) => ({ into: keyShares, of: s.of, share: s.share })),
      ].map(({ into, of, share }) => ({
        into,
        of: state.indexOf.get(of)!,
        y: fieldFromBytes(share, `share of ${JSON.stringify(of)}`),
      }))
    } catch (error) {
      if (!(error instanceof MsflError)) throw error
      dropped.push({ clientId, stage: 'unmasking', reason: error.message })
      continue
    }
    for (const { into, of, y } of decoded) {
      const list = into.get(of) ?? []
      list.push({ x: v, y })
      into.set(of, list)
    }
    revealed += 1
  }
  if (revealed < p.threshold)
    abortRound(
      state,
      'unmasking',
      `${revealed} survivors revealed their shares, threshold is ${p.threshold}`,
    )

  const t = p.threshold
  const cache: LagrangeCache = new Map()
  const rebuild = (of: number, shares: ShamirShare[] | undefined, what: string): Uint8Array => {
    if ((shares?.length ?? 0) < t)
      abortRound(
        state,
        'unmasking',
        `${shares?.length ?? 0} shares of ${JSON.stringify(ids[of - 1])}'s ${what}, threshold is ${t}`,
      )
    try {
      // Sorted x-coordinates make the Lagrange weights reusable across secrets.
      return reconstructSecret(
        [...shares!].sort((a, b) => a.x - b.x),
        t,
        cache,
      )
    } catch (error) {
      if (!(error instanceof MsflError)) throw error
      return abortRound(
        state,
        'unmasking',
        `${JSON.stringify(ids[of - 1])}'s ${what}: ${error.message}`,
      )
    }
  }

  const sum = state.sum!.slice()
  for (const u of survivors) {
    const seed = rebuild(u, selfMaskShares.get(u), 'self-mask seed')
    applyMask(sum, crypto.expandMask(seed, p.dimension), -1)
    seed.fill(0)
  }
  const info = pairwiseMaskInfo(p.session)
  for (const u of gone) {
    const partners = neighboursIn(state, u, survivors)
    if (partners.length === 0) continue
    const secretKey = rebuild(u, keyShares.get(u), 'mask secret key')
    if (!equalBytes(crypto.publicKeyOf(secretKey), state.keys.get(u)!.maskKey))
      abortRound(
        state,
        'unmasking',
        `the rebuilt secret key of ${JSON.stringify(ids[u - 1])} does not match its public key`,
      )
    for (const v of partners) {
      const seed = crypto.agree(secretKey, state.keys.get(v)!.maskKey, info)
      // v added sign(v, u)·PRG(s_uv) to y_v; take it out again.
      applyMask(sum, crypto.expandMask(seed, p.dimension), pairwiseMaskSign(v, u) === 1 ? -1 : 1)
      seed.fill(0)
    }
    secretKey.fill(0)
  }
  return {
    sum: dequantiseSum(sum, p.quantisation),
    survivors: [...survivors].sort((a, b) => a - b).map((u) => ids[u - 1]!),
    dropped: state.dropped,
    unmaskingDropouts: [...state.consistencyDropouts, ...dropped],
    errorBound: quantisationErrorBound(p.quantisation, survivors.size),
  }
}
