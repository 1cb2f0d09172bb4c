import { assertUpdateCount } from './assertUpdateCount.ts'
import { argMin, krumScores } from './krumScores.ts'
import { pairwiseSquaredDistances } from './pairwiseSquaredDistances.ts'
import type { AggregationResult, RobustRule } from './robustRule.ts'
import { checkUpdates } from './screenUpdates.ts'
import { sortValues } from './sortValues.ts'

function assertBulyanTolerates(n: number, f: number): void {
  assertUpdateCount('bulyan', n, f, n >= 4 * f + 3, 'n ≥ 4f + 3')
}

/**
 * Bulyan (El Mhamdi, Guerraoui, Rouault, ICML 2018) over Krum. Tolerates f
 * Byzantine updates when n ≥ 4f + 3.
 *
 * 1. Selection: θ = n − 2f times, pick the Krum winner of the remaining pool and
 *    remove it. Scores come from one pairwise distance matrix computed up front.
 *    As the pool shrinks below 2f + 3, n_pool − f − 2 falls under 1; the paper
 *    leaves that case implicit, so the neighbour count is clamped to at least 1
 *    (at most n_pool − 1).
 * 2. Aggregation: per coordinate, the mean of the β = θ − 2f selected values
 *    closest to the median of the θ selected values (equal distances: the lower
 *    value first). In sorted order those β values are a contiguous window around
 *    the median.
 */
export function bulyan(updates: readonly Float64Array[], f: number): AggregationResult {
  const length = checkUpdates('bulyan', updates)
  const n = updates.length
  assertBulyanTolerates(n, f)
  const theta = n - 2 * f
  const beta = theta - 2 * f
  const matrix = pairwiseSquaredDistances(updates)
  const pool = Array.from({ length: n }, (_, i) => i)
  const selected: number[] = []
  while (selected.length < theta) {
    const neighbours = Math.min(pool.length - 1, Math.max(1, pool.length - f - 2))
    const winner = argMin(krumScores(matrix, n, pool, neighbours))
    selected.push(pool[winner]!)
    pool.splice(winner, 1)
  }
  selected.sort((a, b) => a - b)
  const chosen = selected.map((i) => updates[i]!)

  // Per coordinate a full sort of the θ selected values: splitting off the 2f lowest
  // and highest with quickselect and sorting only those measured no faster
  // (307 ms vs 323 ms at θ = 80, 100,000 coordinates), so the simple form stays.
  const out = new Float64Array(length)
  const v = new Float64Array(theta)
  for (let j = 0; j < length; j++) {
    for (let q = 0; q < theta; q++) v[q] = chosen[q]![j]!
    sortValues(v, 0, theta - 1)
    out[j] = closestToMedianSum(v, theta, beta) / beta
  }
  return { aggregate: out, selected }
}

export const bulyanRule: RobustRule = {
  name: 'bulyan',
  citation:
    'El Mhamdi, Guerraoui, Rouault, "The Hidden Vulnerability of Distributed Learning in Byzantium", ICML 2018',
  tolerance: 'n ≥ 4f + 3',
  byzantineRobust: true,
  assertTolerates: assertBulyanTolerates,
  aggregate: (input) => bulyan(input.updates, input.f),
}

/**
 * Sum of the `count` values of sorted v[0..size) closest to their median, grown
 * outwards from the middle (ties: the lower value).
 */
function closestToMedianSum(v: Float64Array, size: number, count: number): number {
  const lowMid = (size - 1) >> 1
  const median = size % 2 === 1 ? v[lowMid]! : (v[lowMid]! + v[lowMid + 1]!) / 2
  let l = lowMid
  let r = lowMid + 1
  let sum = 0
  for (let taken = 0; taken < count; taken++) {
    if (l >= 0 && (r >= size || median - v[l]! <= v[r]! - median)) sum += v[l--]!
    else sum += v[r++]!
  }
  return sum
}
