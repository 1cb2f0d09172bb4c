import type { FeatureScalingPlan } from './featureScaling.ts'

/**
 * A dataset in memory: row-major features and one numeric target per row.
 * Classification targets are class indices 0..numClasses-1 stored as numbers;
 * regression targets are real values and numClasses is 0.
 */
export interface Dataset {
  readonly name: string
  /** n × d, row-major. Float32 halves memory for MNIST; models compute in float64. */
  readonly x: Float32Array
  readonly y: Float64Array
  readonly n: number
  readonly d: number
  readonly numClasses: number
  readonly classNames: readonly string[]
  readonly featureNames: readonly string[]
  /** Optional natural grouping (e.g. the device that produced each row of synthetic IoT data). */
  readonly groups?: Int32Array
}

/** A dataset with its held-out test split. */
export interface DatasetSplit {
  readonly train: Dataset
  readonly test: Dataset
  /**
   * Numeric features still on their own scale, with their declared ranges: the job
   * standardises them with statistics its data owners agree on through secure
   * aggregation (runtime/scaling/agreeFeatureScaling.ts), never with pooled rows.
   * Absent when every feature already has a fixed public scale (pixels / 255).
   */
  readonly scaling?: FeatureScalingPlan
  /** Human-readable notes on preprocessing, shown in reports. */
  readonly description: string
}

/** Copies the given rows into a new dataset (used by partitioners and splits). */
export function selectRows(data: Dataset, indices: ArrayLike<number>, name = data.name): Dataset {
  const n = indices.length
  const x = new Float32Array(n * data.d)
  const y = new Float64Array(n)
  const groups = data.groups ? new Int32Array(n) : undefined
  for (let r = 0; r < n; r++) {
    const src = indices[r]!
    x.set(data.x.subarray(src * data.d, (src + 1) * data.d), r * data.d)
    y[r] = data.y[src]!
    if (groups && data.groups) groups[r] = data.groups[src]!
  }
  return {
    name,
    x,
    y,
    n,
    d: data.d,
    numClasses: data.numClasses,
    classNames: data.classNames,
    featureNames: data.featureNames,
    ...(groups ? { groups } : {}),
  }
}

/** Per-class row counts (length numClasses). */
export function labelHistogram(data: Dataset): number[] {
  const counts = new Array<number>(data.numClasses).fill(0)
  for (let i = 0; i < data.n; i++) counts[data.y[i]!]! += 1
  return counts
}
