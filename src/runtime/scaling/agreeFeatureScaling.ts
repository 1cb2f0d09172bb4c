import {
  type FeatureScaling,
  type FeatureScalingPlan,
  scalingFromStatistics,
} from '../../core/data/featureScaling.ts'
import { describeZodError } from '../../core/errors/describeZodError.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import type { SecaggCrypto } from '../../core/ports/secaggCrypto.ts'
import type { Transport } from '../../core/ports/transport.ts'
import {
  featureScalingAppliedSchema,
  featureStatisticsSchema,
} from '../../core/scaling/scalingMessages.ts'
import { collectReplies, type StartTimer } from '../rounds/collectReplies.ts'
import { runSecureAggregation } from '../secagg/runSecureAggregation.ts'

export interface AgreeFeatureScalingParameters {
  /** Names the secure-aggregation session; the owners accept statistics for it only. */
  readonly session: string
  /** Reaches every owner's scaling handler (core/scaling/createScalingOwner.ts). */
  readonly transport: Transport
  readonly owners: readonly string[]
  readonly plan: FeatureScalingPlan
  /**
   * A public bound on any owner's row count (the statistics of one owner are at most this
   * large): it sets the quantisation range of the masked sums.
   */
  readonly maxRows: number
  /** t of the secure aggregation: the fewest owners whose sum may be unmasked. */
  readonly threshold: number
  readonly crypto: Pick<SecaggCrypto, 'hash' | 'agree' | 'expandMask' | 'publicKeyOf'>
  /** Longest wait for one stage (and for the acknowledgements), in ms. */
  readonly stageTimeoutMs: number
  readonly startTimer?: StartTimer
}

/** What the agreement produced: the scaling and the owners whose statistics it sums. */
export interface FeatureScalingAgreement {
  readonly scaling: FeatureScaling
  readonly contributors: readonly string[]
}

/**
 * The requestor's side of the job's first step: one secure-aggregation session over the
 * owners' feature statistics (count, Σu, Σu², each owner's own rows only; a job with one
 * owner has nothing to aggregate, and that owner sends its own), the scaling derived
 * from the sum, then announced to every owner, which checks it against
 * the public plan and applies it to its rows. The requestor learns the sum and nothing
 * about any single owner; it fails with MsflError('PROTOCOL') if the session aborts or
 * an owner does not confirm the scaling (it could not train on the agreed features).
 */
export async function agreeFeatureScaling(
  p: AgreeFeatureScalingParameters,
): Promise<FeatureScalingAgreement> {
  if (!(Number.isSafeInteger(p.maxRows) && p.maxRows >= 1))
    throw new MsflError('CONFIG_INVALID', `maxRows must be an integer ≥ 1, got ${p.maxRows}`)
  const dimension = 1 + 2 * p.plan.features.length
  const { sum, contributors } =
    p.owners.length === 1
      ? await soleOwnerStatistics(p, p.owners[0]!, dimension)
      : await securelySummed(p, dimension)
  const scaling = scalingFromStatistics(sum, p.plan)
  await announceFeatureScaling(p, scaling)
  return { scaling, contributors }
}

interface SummedStatistics {
  readonly sum: Float64Array
  readonly contributors: readonly string[]
}

/** Two or more owners: one secure-aggregation session over their statistics. */
async function securelySummed(
  p: AgreeFeatureScalingParameters,
  dimension: number,
): Promise<SummedStatistics> {
  const result = await runSecureAggregation({
    transport: p.transport,
    session: p.session,
    clients: p.owners,
    dimension,
    threshold: p.threshold,
    // Twice the bound leaves room for DP noise on top of a full owner's statistics.
    quantisation: { clip: 2 * p.maxRows },
    degree: null,
    crypto: p.crypto,
    stageTimeoutMs: p.stageTimeoutMs,
    ...(p.startTimer ? { startTimer: p.startTimer } : {}),
  })
  return { sum: result.sum, contributors: result.survivors }
}

/** A job's only owner: its statistics are the sum, sent as they are (noised under DP). */
async function soleOwnerStatistics(
  p: AgreeFeatureScalingParameters,
  owner: string,
  dimension: number,
): Promise<SummedStatistics> {
  const reply = await p.transport.request(
    owner,
    { type: 'feature-statistics-request', session: p.session },
    { deadlineMs: p.stageTimeoutMs },
  )
  const parsed = featureStatisticsSchema.safeParse(reply)
  if (!parsed.success)
    throw new MsflError(
      'PROTOCOL',
      `feature scaling: owner ${owner} sent no statistics (${String(
        (reply as { message?: unknown } | null)?.message ?? describeZodError(parsed.error),
      )})`,
    )
  const m = parsed.data
  if (m.clientId !== owner || m.session !== p.session || m.statistics.length !== dimension)
    throw new MsflError(
      'PROTOCOL',
      `feature scaling: owner ${owner} answered as ${m.clientId} for session ${m.session} with ${m.statistics.length} of ${dimension} statistics`,
    )
  return { sum: Float64Array.from(m.statistics), contributors: [owner] }
}

/** Tells every owner the scaling; each must confirm it applied it. */
/**
 * Tells owners the agreed scaling; each must confirm it applied it (MsflError('PROTOCOL')
 * naming the first that did not). Also how an owner that joins after the agreement (a
 * restarted process) gets it.
 */
export async function announceFeatureScaling(
  p: Pick<
    AgreeFeatureScalingParameters,
    'session' | 'transport' | 'owners' | 'stageTimeoutMs' | 'startTimer'
  >,
  scaling: FeatureScaling,
): Promise<void> {
  const announcement = {
    type: 'feature-scaling' as const,
    session: p.session,
    mean: [...scaling.mean],
    std: [...scaling.std],
  }
  const outcomes = await collectReplies(
    p.transport,
    new Map(p.owners.map((id) => [id, announcement])),
    { deadlineMs: p.stageTimeoutMs, ...(p.startTimer ? { startTimer: p.startTimer } : {}) },
  )
  for (const outcome of outcomes) {
    const parsed =
      'reply' in outcome ? featureScalingAppliedSchema.safeParse(outcome.reply) : undefined
    if (
      parsed?.success &&
      parsed.data.clientId === outcome.clientId &&
      parsed.data.session === p.session
    )
      continue
    const why =
      'failure' in outcome
        ? outcome.failure
        : 'straggler' in outcome
          ? 'no answer in time'
          : String((outcome.reply as { message?: unknown } | null)?.message ?? 'an invalid reply')
    throw new MsflError(
      'PROTOCOL',
      `feature scaling: owner ${outcome.clientId} did not apply the agreed scaling (${why})`,
    )
  }
}
