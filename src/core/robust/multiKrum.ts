import { MsflError } from '../errors/msflError.ts'
import { assertKrumTolerates, krumFamilyRule } from './krum.ts'
import { krumScores } from './krumScores.ts'
import { linearCombination } from './linearCombination.ts'
import { pairwiseSquaredDistances } from './pairwiseSquaredDistances.ts'
import type { AggregationResult, RobustRule } from './robustRule.ts'
import { checkUpdates } from './screenUpdates.ts'

export interface MultiKrumOptions {
  /** How many lowest-score updates to average; default n − f. */
  readonly m?: number
}

/**
 * Multi-Krum (Blanchard et al., NeurIPS 2017): the plain mean of the m updates with
 * the lowest Krum scores, scores computed once from one pairwise distance matrix
 * (ties: lower index first). m = 1 is Krum; the default m = n − f averages away
 * most of Krum's variance while still excluding up to f outliers. Tolerates f
 * Byzantine updates when n ≥ 2f + 3 (and m ≤ n − f keeps the bound meaningful).
 */
export function multiKrum(
  updates: readonly Float64Array[],
  f: number,
  m?: number,
): AggregationResult {
  const length = checkUpdates('multi-krum', updates)
  const n = updates.length
  assertKrumTolerates('multi-krum', n, f)
  const take = m ?? n - f
  if (!Number.isInteger(take) || take < 1 || take > n)
    throw new MsflError(
      'CONFIG_INVALID',
      `multi-krum: m must be an integer between 1 and n = ${n}; got ${take}`,
    )
  const pool = Array.from({ length: n }, (_, i) => i)
  const scores = krumScores(pairwiseSquaredDistances(updates), n, pool, n - f - 2)
  const order = pool.sort((a, b) => scores[a]! - scores[b]! || a - b)
  const selected = order.slice(0, take).sort((a, b) => a - b)
  const coefficients = new Float64Array(n)
  for (const i of selected) coefficients[i] = 1 / take
  return { aggregate: linearCombination(updates, coefficients, length), selected }
}

export function createMultiKrumRule(options: MultiKrumOptions = {}): RobustRule {
  return krumFamilyRule('multi-krum', (updates, f) => multiKrum(updates, f, options.m))
}
