import { assertUpdateCount } from './assertUpdateCount.ts'
import type { AggregationResult, RobustRule } from './robustRule.ts'
import { assertSomeUpdates, checkUpdates } from './screenUpdates.ts'
import { minOf, selectKth } from './selectKth.ts'

export const YIN_CITATION =
  'Yin, Chen, Ramchandran, Bartlett, "Byzantine-Robust Distributed Learning: Towards Optimal Statistical Rates", ICML 2018'

/** Median and geometric median break down at one half: f < n/2. */
export function assertMajorityHonest(rule: string, n: number, f: number): void {
  assertUpdateCount(rule, n, f, 2 * f < n, 'n ≥ 2f + 1 (f < n/2)')
}

/**
 * Coordinate-wise median (Yin et al., ICML 2018): for every coordinate the median of
 * the n values, the mean of the two middle ones when n is even. Tolerates f < n/2
 * Byzantine updates: per coordinate the result always lies between two honest values.
 * Uses quickselect on one scratch array (measured 2.5× faster than sorting, and
 * faster than transposing blocks of coordinates first, because the n strided reads
 * per coordinate share cache lines with the next 7 coordinates anyway).
 */
export function coordinateMedian(updates: readonly Float64Array[]): AggregationResult {
  const length = checkUpdates('median', updates)
  const n = updates.length
  const out = new Float64Array(length)
  const scratch = new Float64Array(n)
  const k = (n - 1) >> 1
  const even = n % 2 === 0
  for (let j = 0; j < length; j++) {
    for (let i = 0; i < n; i++) scratch[i] = updates[i]![j]!
    const lower = selectKth(scratch, 0, n - 1, k)
    // selectKth leaves everything above position k at or above it, so the upper
    // middle value is the minimum of that part.
    out[j] = even ? (lower + minOf(scratch, k + 1, n - 1)) / 2 : lower
  }
  return { aggregate: out }
}

export const coordinateMedianRule: RobustRule = {
  name: 'median',
  citation: YIN_CITATION,
  tolerance: 'f < n/2',
  byzantineRobust: true,
  assertTolerates: (n, f) => assertMajorityHonest('median', n, f),
  aggregate: (input) => {
    assertSomeUpdates('median', input.updates)
    assertMajorityHonest('median', input.updates.length, input.f)
    return coordinateMedian(input.updates)
  },
}
