import { assertUpdateCount } from './assertUpdateCount.ts'
import { argMin, krumScores } from './krumScores.ts'
import { pairwiseSquaredDistances } from './pairwiseSquaredDistances.ts'
import type { AggregationResult, RobustRule } from './robustRule.ts'
import { checkUpdates } from './screenUpdates.ts'

export const KRUM_CITATION =
  'Blanchard, El Mhamdi, Guerraoui, Stainer, "Machine Learning with Adversaries: Byzantine Tolerant Gradient Descent", NeurIPS 2017'

/** Krum and Multi-Krum need n ≥ 2f + 3 so that every score sums over at least one honest neighbour more than the attackers can place. */
export function assertKrumTolerates(rule: string, n: number, f: number): void {
  assertUpdateCount(rule, n, f, n >= 2 * f + 3, 'n ≥ 2f + 3')
}

/**
 * Krum (Blanchard et al., NeurIPS 2017): scores each update by the sum of squared
 * distances to its n − f − 2 nearest other updates and returns (a copy of) the
 * update with the smallest score; ties go to the lowest index. Tolerates f
 * Byzantine updates when n ≥ 2f + 3.
 */
export function krum(updates: readonly Float64Array[], f: number): AggregationResult {
  checkUpdates('krum', updates)
  const n = updates.length
  assertKrumTolerates('krum', n, f)
  const matrix = pairwiseSquaredDistances(updates)
  const pool = Array.from({ length: n }, (_, i) => i)
  const best = argMin(krumScores(matrix, n, pool, n - f - 2))
  return { aggregate: Float64Array.from(updates[best]!), selected: [best] }
}

/**
 * The RobustRule of a Krum-family rule: Krum's paper, tolerance and n ≥ 2f + 3 check;
 * `aggregate` gets the updates and the assumed f (the scores depend on it).
 */
export function krumFamilyRule(
  name: string,
  aggregate: (updates: readonly Float64Array[], f: number) => AggregationResult,
): RobustRule {
  return {
    name,
    citation: KRUM_CITATION,
    tolerance: 'n ≥ 2f + 3',
    byzantineRobust: true,
    assertTolerates: (n, f) => assertKrumTolerates(name, n, f),
    aggregate: (input) => aggregate(input.updates, input.f),
  }
}

export const krumRule = krumFamilyRule('krum', krum)
