import type { Dataset } from '../data/dataset.ts'
import {
  applyFeatureScaling,
  type FeatureScaling,
  type FeatureScalingPlan,
  featureStatistics,
  statisticsSensitivity,
} from '../data/featureScaling.ts'
import { addGaussianNoise } from '../dp/addGaussianNoise.ts'
import { assertNoiseRng } from '../dp/assertNoiseRng.ts'
import { describeZodError } from '../errors/describeZodError.ts'
import { MsflError } from '../errors/msflError.ts'
import type { SecaggCrypto } from '../ports/secaggCrypto.ts'
import type { MessageHandler } from '../ports/transport.ts'
import type { Rng } from '../rng/rng.ts'
import { createSecaggClient } from '../secagg/createSecaggClient.ts'
import { scalingInboxSchema } from './scalingMessages.ts'

/** The Gaussian mechanism an owner applies to its statistics before they are masked. */
export interface StatisticsNoise {
  /** σ: noise standard deviation over the L2 sensitivity √(1 + 2k). */
  readonly multiplier: number
  /** A CSPRNG (a seeded Rng only with `simulation`). */
  readonly rng: Rng
  readonly simulation?: boolean
}

export interface ScalingOwnerParameters {
  readonly clientId: string
  /** The owner's rows, still unscaled: they never leave this handler. */
  readonly data: Dataset
  readonly plan: FeatureScalingPlan
  /** The one secure-aggregation session the statistics go into. */
  readonly session: string
  readonly crypto: SecaggCrypto
  /** `--privacy dp`: noise the statistics (charged to the owner's DP budget by the caller). */
  readonly noise?: StatisticsNoise
  /**
   * The job has this owner only: its statistics are the sum, so it may send them without
   * secure aggregation. Otherwise it refuses any request for them in the clear.
   */
  readonly soleOwner?: boolean
}

/** A data owner's side of the scaling agreement. */
export interface ScalingOwner extends MessageHandler {
  /** The owner's rows under the agreed scaling; throws until the scaling has arrived. */
  scaled(): Dataset
  /** Whether the agreed scaling has arrived and been applied. */
  isScaled(): boolean
}

/**
 * A data owner in the feature-scaling agreement: it answers the secure-aggregation
 * session `session` with featureStatistics of its own rows (plus Gaussian noise under
 * DP, drawn once), so the requestor learns only the owners' sum; then it checks the
 * announced scaling against the public plan (a mean inside the declared range, a
 * deviation no wider than it) and applies it to its rows. Nothing but the masked
 * statistics leaves the owner.
 */
export function createScalingOwner(p: ScalingOwnerParameters): ScalingOwner {
  const { clientId, plan } = p
  if (p.noise) assertNoiseRng(p.noise.rng, p.noise.simulation, `owner ${clientId}`)
  let statistics: Float64Array | undefined
  let scaled: Dataset | undefined
  /** The scaling applied, to answer the same announcement again (a provider that restarted). */
  let applied: { readonly mean: number[]; readonly std: number[] } | undefined
  /** The owner's statistics, computed (and noised) once: a second draw would leak more. */
  const contribute = (session: string, dimension: number): Float64Array => {
    if (session !== p.session)
      throw new MsflError('PROTOCOL', `${clientId}: no statistics for session ${session}`)
    if (statistics)
      throw new MsflError('PROTOCOL', `${clientId}: the statistics were already contributed`)
    const own = featureStatistics(p.data, plan)
    if (dimension !== own.length)
      throw new MsflError(
        'PROTOCOL',
        `${clientId}: the session expects ${dimension} values, the plan has ${own.length} statistics`,
      )
    if (p.noise)
      addGaussianNoise(own, p.noise.multiplier * statisticsSensitivity(plan), p.noise.rng)
    statistics = own
    return own
  }
  const secagg = createSecaggClient({
    clientId,
    crypto: p.crypto,
    input: ({ session, dimension }) => contribute(session, dimension),
  })
  const error = (message: string) => ({ type: 'error', clientId, message })

  return {
    async handle(message: unknown): Promise<unknown> {
      const type = (message as { type?: unknown } | null)?.type
      if (typeof type === 'string' && type.startsWith('secagg-')) return secagg.handle(message)
      const parsed = scalingInboxSchema.safeParse(message)
      if (!parsed.success) return error(describeZodError(parsed.error, 'feature-scaling'))
      const m = parsed.data
      if (m.session !== p.session) return error(`${m.type}: unknown session ${m.session}`)
      if (m.type === 'feature-statistics-request') {
        if (!p.soleOwner)
          return error(
            'feature-statistics-request: other owners take part; statistics go through secure aggregation only',
          )
        try {
          const own = contribute(m.session, 1 + 2 * plan.features.length)
          return { type: 'feature-statistics', session: m.session, clientId, statistics: [...own] }
        } catch (cause) {
          if (cause instanceof MsflError) return error(cause.message)
          throw cause
        }
      }
      // An owner that joins after the agreement (a restarted process) contributed nothing
      // and takes the announced scaling like the others: it is public to every owner.
      if (applied) {
        const same =
          applied.mean.length === m.mean.length &&
          applied.mean.every((v, j) => v === m.mean[j] && applied!.std[j] === m.std[j])
        return same
          ? { type: 'feature-scaling-applied', session: m.session, clientId }
          : error('feature-scaling: another scaling was already applied')
      }
      const problem = checkScaling(m, plan)
      if (problem) return error(`feature-scaling: ${problem}`)
      scaled = applyFeatureScaling(p.data, plan, m)
      applied = { mean: [...m.mean], std: [...m.std] }
      return { type: 'feature-scaling-applied', session: m.session, clientId }
    },
    isScaled: () => scaled !== undefined,
    scaled() {
      if (!scaled)
        throw new MsflError('PROTOCOL', `${clientId}: the feature scaling has not been agreed yet`)
      return scaled
    },
  }
}

/** Why an announced scaling cannot come from statistics of rows in the declared ranges. */
function checkScaling(s: FeatureScaling, plan: FeatureScalingPlan): string | undefined {
  const k = plan.features.length
  if (s.mean.length !== k || s.std.length !== k)
    return `expected ${k} means and deviations, got ${s.mean.length} and ${s.std.length}`
  for (const [j, { lo, hi }] of plan.features.entries()) {
    if (s.mean[j]! < lo || s.mean[j]! > hi)
      return `mean.${j} = ${s.mean[j]} lies outside the declared range [${lo}, ${hi}]`
    // A variable in [lo, hi] has a standard deviation of at most (hi − lo) / 2.
    if (s.std[j]! < 0 || s.std[j]! > (hi - lo) / 2)
      return `std.${j} = ${s.std[j]} is not in [0, ${(hi - lo) / 2}]`
  }
  return undefined
}
