import { medianOf } from '../robust/selectKth.ts'

/** 1/Φ⁻¹(3/4): makes the median absolute deviation estimate σ for normal data. */
const MAD_TO_SIGMA = 1.482602218505602
/** √(π/2): makes the mean absolute deviation estimate σ for normal data. */
const MEAN_ABSOLUTE_TO_SIGMA = 1.2533141373155003

export interface RobustZScores {
  /** (xᵢ − centre) / spread, one per value. */
  readonly z: Float64Array
  /** The median of the values. */
  readonly centre: number
  /** The σ estimate the scores are in units of (0 when all values are equal). */
  readonly spread: number
}

/**
 * The smallest spread the scores may use: `absolute`, and `relative` × |centre|.
 * A floor turns "statistically unusual" into "unusual by a margin that matters":
 * when honest updates are nearly identical (IID data), their spread is tiny and a
 * client whose data makes its updates persistently 10 % longer would otherwise sit at
 * 10σ every round. With a relative floor of 5 %, z = 3 needs a 15 % difference.
 */
export interface SpreadFloor {
  readonly absolute?: number
  readonly relative?: number
}

/**
 * Robust z-scores: distance from the median in units of 1.4826 × MAD (the median
 * absolute deviation, scaled to estimate σ for normal data).
 *
 * Why not mean and standard deviation: with 3 attackers among 10 clients, a huge
 * attacker value inflates the standard deviation so much that the attacker itself
 * sits near 2σ — the classical z-score masks exactly the outliers it should find.
 * Median and MAD each ignore up to half of the values, so the spread stays the
 * honest clients' spread; the attackers only nudge which honest value is the middle
 * one (with 3 of 10 the MAD reads the honest deviations' ~80th percentile instead of
 * the 50th, overestimating σ by about 1.8: scores are conservative, never inflated).
 *
 * When more than half of the values are identical the MAD is 0; the spread then falls
 * back to the mean absolute deviation (scaled to σ the same way), and when every value
 * is equal all scores are 0. The spread never goes below the floor, nor below
 * 10⁻⁹ × |centre|, so values that differ only by rounding are not reported as far apart.
 */
export function robustZScores(values: ArrayLike<number>, floor: SpreadFloor = {}): RobustZScores {
  const n = values.length
  if (n === 0) return { z: new Float64Array(0), centre: 0, spread: 0 }
  const centre = medianOf(values)
  const deviations = new Float64Array(n)
  let meanAbsolute = 0
  for (let i = 0; i < n; i++) {
    deviations[i] = Math.abs(values[i]! - centre)
    meanAbsolute += deviations[i]! / n
  }
  let spread = MAD_TO_SIGMA * medianOf(deviations)
  if (spread === 0) spread = MEAN_ABSOLUTE_TO_SIGMA * meanAbsolute
  spread = Math.max(
    spread,
    floor.absolute ?? 0,
    Math.max(floor.relative ?? 0, 1e-9) * Math.abs(centre),
  )
  const z = new Float64Array(n)
  if (spread > 0) for (let i = 0; i < n; i++) z[i] = (values[i]! - centre) / spread
  return { z, centre, spread }
}
