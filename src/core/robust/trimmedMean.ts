import { MsflError } from '../errors/msflError.ts'
import { assertUpdateCount } from './assertUpdateCount.ts'
import { YIN_CITATION } from './coordinateMedian.ts'
import type { AggregationResult, RobustRule } from './robustRule.ts'
import { assertSomeUpdates, checkUpdates } from './screenUpdates.ts'
import { selectKth } from './selectKth.ts'

export interface TrimmedMeanOptions {
  /** Trim floor(beta·n) per side instead of f; 0 ≤ beta < 1/2. */
  readonly beta?: number
}

/**
 * Coordinate-wise trimmed mean (Yin et al., ICML 2018): per coordinate drop the
 * `trim` largest and `trim` smallest values and average the rest. Tolerates f
 * Byzantine updates when trim ≥ f and n > 2·trim. Two quickselects partition each
 * coordinate's values (faster than sorting them), and the kept middle is summed
 * directly: subtracting the extremes from a total would cancel catastrophically
 * when an attacker sends 1e30.
 */
export function trimmedMean(updates: readonly Float64Array[], trim: number): AggregationResult {
  const length = checkUpdates('trimmed-mean', updates)
  const n = updates.length
  assertUpdateCount('trimmed-mean', n, trim, n > 2 * trim, 'n ≥ 2f + 1')
  const out = new Float64Array(length)
  const scratch = new Float64Array(n)
  const last = n - trim - 1
  const kept = n - 2 * trim
  for (let j = 0; j < length; j++) {
    for (let i = 0; i < n; i++) scratch[i] = updates[i]![j]!
    if (trim > 0) {
      selectKth(scratch, 0, n - 1, trim)
      selectKth(scratch, trim, n - 1, last)
    }
    let sum = 0
    for (let q = trim; q <= last; q++) sum += scratch[q]!
    out[j] = sum / kept
  }
  return { aggregate: out }
}

/** Number trimmed per side: floor(beta·n) when beta is set, else the assumed f. */
function trimFor(options: TrimmedMeanOptions, n: number, f: number): number {
  return options.beta === undefined ? f : Math.floor(options.beta * n)
}

export function createTrimmedMeanRule(options: TrimmedMeanOptions = {}): RobustRule {
  const { beta } = options
  if (beta !== undefined && !(beta >= 0 && beta < 0.5))
    throw new MsflError('CONFIG_INVALID', `trimmed-mean: beta must be in [0, 0.5); got ${beta}`)
  const assertTolerates = (n: number, f: number) => {
    const trim = trimFor(options, n, f)
    assertUpdateCount(
      'trimmed-mean',
      n,
      f,
      n > 2 * trim && trim >= f,
      beta === undefined ? 'n ≥ 2f + 1' : `floor(${beta}·n) ≥ f and n ≥ 2·floor(${beta}·n) + 1`,
    )
  }
  return {
    name: 'trimmed-mean',
    citation: YIN_CITATION,
    tolerance: beta === undefined ? 'f < n/2 (trims f per side)' : `f ≤ floor(${beta}·n)`,
    byzantineRobust: true,
    assertTolerates,
    aggregate: (input) => {
      assertSomeUpdates('trimmed-mean', input.updates)
      assertTolerates(input.updates.length, input.f)
      return trimmedMean(input.updates, trimFor(options, input.updates.length, input.f))
    },
  }
}
