import { majorityHonestRule } from './majorityHonestRule.ts'
import type { AggregationResult } from './robustRule.ts'
import { checkUpdates } from './screenUpdates.ts'
import { minOf, selectKth } from './selectKth.ts'

export const YIN_CITATION =
  'Yin, Chen, Ramchandran, Bartlett, "Byzantine-Robust Distributed Learning: Towards Optimal Statistical Rates", ICML 2018'

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

export const coordinateMedianRule = majorityHonestRule({
  name: 'median',
  citation: YIN_CITATION,
  aggregate: coordinateMedian,
})
