import {
  type ClientLevelDp,
  type ClientNoise,
  createClientLevelDp,
} from '../../core/dp/clientLevelDp.ts'
import { createDpFedAvg } from '../../core/dp/createDpFedAvg.ts'
import { findNoiseMultiplier } from '../../core/dp/findNoiseMultiplier.ts'
import { wrapClientLevelDp } from '../../core/dp/wrapClientLevelDp.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import type { ProtectedRoundRecord } from '../../core/events/runEvent.ts'
import type { LocalTrainingConfig } from '../../core/fl/messages.ts'
import type { Strategy } from '../../core/fl/strategy.ts'
import type { MessageHandler } from '../../core/ports/transport.ts'
import type { ClientDpOptions, HidingPart } from '../../core/privacy/parsePrivacySpec.ts'
import type { Rng } from '../../core/rng/rng.ts'
import { checkProtectedReply } from './protectedReplies.ts'
import type { ProtectedRoundHooks } from './updateProtection.ts'

/** What `--json` reports of client-level DP: the mechanism and the (ε, δ) spent. */
export interface ClientLevelSummary {
  readonly level: 'client'
  readonly noise: ClientNoise
  /** σ every round was planned with (distributed rounds with more than t shares carry more). */
  readonly noiseMultiplier: number
  /** q, the Poisson client sampling rate. */
  readonly samplingRate: number
  /** Distributed noise: t, the fewest noise shares in a released sum. */
  readonly minContributors?: number
  readonly epsilon: number
  readonly delta: number
  /** Round → ε spent up to and including it (a dropped round spends nothing and repeats it). */
  readonly epsilonPerRound: Record<number, number>
}

export interface ClientLevelRun {
  readonly clientDp: ClientLevelDp
  /** Plans rounds (Poisson sampling, budget stop); on the plain engine it also aggregates. */
  readonly strategy: Strategy
  /** An honest client: clips its update (and adds its noise share) before it leaves. */
  wrapClient(inner: MessageHandler): MessageHandler
  /** Behind a hiding protection: which rounds may be combined, and the DP step. */
  readonly hooks: ProtectedRoundHooks
  /**
   * A resumed run: charges the accountant with the rounds a previous server process closed,
   * from their records — a released round at the σ its sum carried, a round given up after a
   * restart (`skipped`) at the job's σ (its sum may have been decrypted before the crash: an
   * overcount is safe), a dropped round (nothing combined) not at all.
   */
  restore(records: readonly PastRoundRecord[]): void
  summary(): ClientLevelSummary
}

/** What restore reads of a closed round's record. */
export type PastRoundRecord = Pick<ProtectedRoundRecord, 'round' | 'accepted' | 'excluded'> & {
  readonly skipped?: string
}

/**
 * Per-coordinate headroom, in noise standard deviations, that a distributed noise share
 * must have inside secagg's clip or paillier's range: P(|N(0,1)| > 10) ≈ 1.5·10⁻²³, so
 * no share is clamped (which would cut the noise the accountant counts on) in any
 * realistic run.
 */
const SHARE_HEADROOM = 10

/**
 * `--privacy dp:level=client,…`: DP-FedAvg for a simulation (docs/differential-privacy.md).
 * The run's strategy, aggregator, sampling and population were checked by `planRun`; this
 * checks the protection's value range against the noise, calibrates σ from the ε budget unless
 * `sigma` is given, and builds the round planner, the client wrapper and the protected
 * step. Sampling and all noise come from `noiseRng` (the CSPRNG); each client gets its own.
 * `honest` are the clients that run wrapClient: only their updates carry a noise share.
 */
export function createClientLevelRun(p: {
  readonly dp: ClientDpOptions
  readonly hiding: HidingPart | undefined
  /** t, the fewest noise shares in a released sum (distributed noise only). */
  readonly minNoiseShares: number | undefined
  readonly clients: number
  readonly rounds: number
  readonly training: LocalTrainingConfig
  readonly honest: ReadonlySet<string>
  readonly noiseRng: () => Rng
}): ClientLevelRun {
  const { dp, hiding, clients, rounds } = p
  const { noise, delta } = dp
  const q = dp.sampling
  const budget = dp.epsilon
  const clipNorm = dp.clip
  const secaggT = hiding?.name === 'secagg' ? hiding.options.t : 0
  const t = p.minNoiseShares
  const sigma = dp.sigma || calibrate(budget, delta, noise === 'central' ? q : 1, rounds)
  if (t !== undefined && hiding)
    checkHeadroom(hiding, clipNorm + (SHARE_HEADROOM * sigma * clipNorm) / Math.sqrt(t))

  const clientDp = createClientLevelDp({
    clipNorm,
    noiseMultiplier: sigma,
    delta,
    clientSamplingRate: q,
    clients,
    noise,
    ...(t !== undefined ? { minContributors: t } : {}),
    epsilonBudget: budget,
  })
  const serverRng = p.noiseRng()
  const dpFedAvg = createDpFedAvg({ training: p.training, clientDp, noiseRng: serverRng })
  // Secagg unmasks nothing below its own t, the ckks/paillier key holder decrypts nothing
  // below t (ProtectionContext.minContributors): a distributed round needs that many valid
  // replies before the protection runs, so a short round is dropped instead of refused.
  const admitAt = t === undefined ? 0 : Math.max(t, secaggT)
  return {
    clientDp,
    strategy: {
      name: dpFedAvg.name,
      configureRound(round, available, rng) {
        if (clientDp.wouldExceedBudget())
          throw new MsflError(
            'CONFIG_INVALID',
            `privacy: dp epsilon=${budget} budget: round ${round} at σ = ${sigma} would take ε past it (spent ${clientDp.spent().epsilon.toFixed(4)} in ${round - 1} rounds); the run stops before it`,
          )
        return dpFedAvg.configureRound(round, available, rng)
      },
      aggregate: (round, params, results) => dpFedAvg.aggregate(round, params, results),
    },
    wrapClient: (inner) => wrapClientLevelDp(inner, clientDp, p.noiseRng()),
    hooks: {
      admits: (round, replies) =>
        replies.filter(
          ({ clientId, reply }) => 'reply' in checkProtectedReply(reply, clientId, round),
        ).length >= admitAt,
      step(round, aggregate) {
        // Attackers add no noise share: only honest contributors count towards σ·√(m/t).
        const shares =
          noise === 'distributed'
            ? aggregate.contributors.filter((c) => p.honest.has(c.clientId)).length
            : aggregate.contributors.length
        return clientDp.finishRound(round, aggregate.weightedSum, shares, serverRng)
      },
    },
    restore(records) {
      clientDp.restore(
        records
          .filter((r) => r.skipped !== undefined || r.accepted > 0 || r.excluded.length === 0)
          .map(({ round, accepted, skipped }) => ({
            round,
            contributors: skipped === undefined ? accepted : 0,
            noiseMultiplier:
              skipped === undefined && noise === 'distributed' && t !== undefined
                ? sigma * Math.sqrt(accepted / t)
                : sigma,
          })),
      )
    },
    summary() {
      const spent = clientDp.spent()
      return {
        level: 'client',
        noise,
        noiseMultiplier: sigma,
        samplingRate: q,
        ...(t !== undefined ? { minContributors: t } : {}),
        epsilon: spent.epsilon,
        delta,
        epsilonPerRound: cumulative(clientDp.history(), rounds),
      }
    },
  }
}

/** σ for which the configured rounds end at ε ≤ the budget (distributed rounds: q = 1). */
function calibrate(budget: number, delta: number, samplingRate: number, rounds: number): number {
  try {
    return findNoiseMultiplier({ targetEpsilon: budget, delta, samplingRate, steps: rounds })
  } catch (error) {
    if (!(error instanceof MsflError)) throw error
    throw new MsflError(
      'CONFIG_INVALID',
      `privacy: dp epsilon=${budget} cannot cover ${rounds} rounds: ${error.message}`,
    )
  }
}

/** A noise share clamped by the protection's value range would carry less noise than counted. */
function checkHeadroom(hiding: HidingPart, bound: number): void {
  if (hiding.name === 'ckks') return // CKKS encodes reals without clamping.
  const [option, limit] =
    hiding.name === 'secagg' ? ['clip', hiding.options.clip] : ['range', hiding.options.range]
  if (limit < bound)
    throw new MsflError(
      'CONFIG_INVALID',
      `privacy: ${hiding.name} ${option}=${limit} would clamp the distributed noise shares (a coordinate reaches S + ${SHARE_HEADROOM}·σS/√t = ${bound.toPrecision(4)}); set ${hiding.name} ${option}=${Math.ceil(bound)} or more`,
    )
}

/** ε after each round 1…rounds, carried over rounds that released nothing (0 before the first). */
function cumulative(
  history: readonly { readonly round: number; readonly epsilon: number }[],
  rounds: number,
): Record<number, number> {
  const charged = new Map(history.map((h) => [h.round, h.epsilon]))
  const out: Record<number, number> = {}
  let epsilon = 0
  for (let round = 1; round <= rounds; round++) {
    epsilon = charged.get(round) ?? epsilon
    out[round] = epsilon
  }
  return out
}
