import { MsflError } from '../errors/msflError.ts'
import type { Dataset, DatasetSplit } from './dataset.ts'
import { type ColumnStats, standardizeValue } from './standardize.ts'

/** One numeric feature the job standardises, with its declared public range. */
export interface ScaledFeature {
  /** Index of the feature in a row. */
  readonly feature: number
  readonly lo: number
  readonly hi: number
}

/**
 * The numeric features of a dataset that are still on their own scale, part of the
 * job's public schema. Statistics clamp values to [lo, hi], which bounds what one row
 * can contribute (the tabular encoder already clamps its numerics).
 */
export interface FeatureScalingPlan {
  readonly features: readonly ScaledFeature[]
}

/**
 * The agreed standardisation x ↦ (x − mean) / std of every planned feature, in plan order:
 * plain numbers, so it travels as a message.
 */
export interface FeatureScaling {
  readonly mean: readonly number[]
  readonly std: readonly number[]
}

/**
 * What one party's rows contribute: [count, Σu_1 … Σu_k, Σu_1² … Σu_k²] with
 * u = (x − lo) / (hi − lo) ∈ [0, 1]. Adding or removing one row changes the vector by
 * (1, u, u²), so its L2 sensitivity is at most √(1 + 2k) (statisticsSensitivity), and
 * the sums of all owners' vectors are the pooled statistics.
 */
export function featureStatistics(data: Dataset, plan: FeatureScalingPlan): Float64Array {
  const k = plan.features.length
  const out = new Float64Array(1 + 2 * k)
  out[0] = data.n
  for (let i = 0; i < data.n; i++) {
    plan.features.forEach(({ feature, lo, hi }, j) => {
      const u = unitValue(data.x[i * data.d + feature]!, lo, hi)
      out[1 + j]! += u
      out[1 + k + j]! += u * u
    })
  }
  return out
}

/** L2 sensitivity of featureStatistics to one row: √(1 + 2k). */
export function statisticsSensitivity(plan: FeatureScalingPlan): number {
  return Math.sqrt(1 + 2 * plan.features.length)
}

/**
 * Mean and standard deviation from summed statistics (possibly noisy): the mean of u is
 * clamped to [0, 1] and its variance to [0, 1/4] (the most a variable in [0, 1] can
 * have), since noise can push either outside.
 */
export function scalingFromStatistics(sum: Float64Array, plan: FeatureScalingPlan): FeatureScaling {
  const k = plan.features.length
  if (sum.length !== 1 + 2 * k)
    throw new MsflError(
      'PROTOCOL',
      `feature statistics have ${sum.length} values, the plan needs ${1 + 2 * k}`,
    )
  const count = sum[0]!
  if (!(count >= 1))
    throw new MsflError(
      'PROTOCOL',
      `feature statistics count ${count} rows: too few to standardise with`,
    )
  const mean: number[] = []
  const std: number[] = []
  plan.features.forEach(({ lo, hi }, j) => {
    const m = Math.min(1, Math.max(0, sum[1 + j]! / count))
    const variance = Math.min(0.25, Math.max(0, sum[1 + k + j]! / count - m * m))
    mean.push(lo + (hi - lo) * m)
    std.push((hi - lo) * Math.sqrt(variance))
  })
  return { mean, std }
}

/**
 * Scaling from the declared ranges alone: [lo, hi] ↦ [−1, 1]. Used where no statistic of
 * the rows may leave an owner (client-level DP) or there are too few owners to hide one.
 */
export function rangeScaling(plan: FeatureScalingPlan): FeatureScaling {
  return {
    mean: plan.features.map(({ lo, hi }) => (lo + hi) / 2),
    std: plan.features.map(({ lo, hi }) => (hi - lo) / 2),
  }
}

/**
 * A copy of `data` with every planned feature standardised by `scaling` (a feature whose
 * agreed std is ~0 maps to 0). Each row is transformed on its own, so an owner applies
 * it to its rows and the requestor to its test rows.
 */
export function applyFeatureScaling(
  data: Dataset,
  plan: FeatureScalingPlan,
  scaling: FeatureScaling,
): Dataset {
  const k = plan.features.length
  if (scaling.mean.length !== k || scaling.std.length !== k)
    throw new MsflError(
      'PROTOCOL',
      `feature scaling has ${scaling.mean.length} means and ${scaling.std.length} deviations, the plan needs ${k}`,
    )
  const stats: ColumnStats = {
    mean: Float64Array.from(scaling.mean),
    std: Float64Array.from(scaling.std),
  }
  const x = data.x.slice()
  for (let i = 0; i < data.n; i++) {
    plan.features.forEach(({ feature }, j) => {
      const at = i * data.d + feature
      x[at] = standardizeValue(x[at]!, stats, j)
    })
  }
  return { ...data, x }
}

/**
 * A split scaled by the statistics of its own training rows: what a single party that
 * holds every row (a centralised baseline) computes for itself. A federation never
 * calls this: its owners agree on the scaling through secure aggregation
 * (runtime/scaling/agreeFeatureScaling.ts).
 */
export function scaleWithOwnStatistics(split: DatasetSplit): DatasetSplit {
  if (!split.scaling) return split
  const scaling = scalingFromStatistics(
    featureStatistics(split.train, split.scaling),
    split.scaling,
  )
  return scaleSplit(split, scaling)
}

/** Both halves of a split scaled by an agreed scaling; the result needs no further scaling. */
export function scaleSplit(split: DatasetSplit, scaling: FeatureScaling): DatasetSplit {
  const { scaling: plan, ...rest } = split
  if (!plan) return split
  return {
    ...rest,
    train: applyFeatureScaling(split.train, plan, scaling),
    test: applyFeatureScaling(split.test, plan, scaling),
  }
}

function unitValue(x: number, lo: number, hi: number): number {
  return (Math.min(hi, Math.max(lo, x)) - lo) / (hi - lo)
}
