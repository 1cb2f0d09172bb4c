import { MsflError } from '../errors/msflError.ts'
import { assertValidF } from './assertUpdateCount.ts'
import { linearCombination } from './linearCombination.ts'
import { resolveWeights } from './resolveWeights.ts'
import type { AggregationResult, RobustRule } from './robustRule.ts'
import { checkUpdates } from './screenUpdates.ts'
import { medianOf } from './selectKth.ts'
import { vectorNorm } from './vectorNorm.ts'

export interface NormBoundOptions {
  /** Clip every update to L2 norm ≤ maxNorm; default the median of the update norms. */
  readonly maxNorm?: number
  /** Example counts; default equal weights. */
  readonly weights?: readonly number[]
}

/**
 * Norm bounding (Sun, Kairouz, Suresh, McMahan, "Can You Really Backdoor Federated
 * Learning?", 2019): scale every update down to L2 norm ≤ M, then take the weighted
 * mean. A mitigation against boosted (model-replacement) backdoors, not a Byzantine-
 * robust rule: f attackers still shift the mean by up to f·M/n in any direction,
 * and with example-count weights an attacker claiming a huge count dominates. The
 * default M, the median update norm, cannot be inflated by a minority. Updates must
 * be deltas: the norm is measured from zero.
 */
export function normBound(
  updates: readonly Float64Array[],
  options: NormBoundOptions = {},
): AggregationResult {
  const length = checkUpdates('norm-bound', updates)
  const { maxNorm } = options
  if (maxNorm !== undefined && !(maxNorm > 0 && Number.isFinite(maxNorm)))
    throw new MsflError(
      'CONFIG_INVALID',
      `norm-bound: max must be a positive number; got ${maxNorm}`,
    )
  const coefficients = resolveWeights('norm-bound', updates.length, options.weights)
  const norms = updates.map(vectorNorm)
  const bound = maxNorm ?? medianOf(norms)
  for (let i = 0; i < updates.length; i++) {
    const norm = norms[i]!
    // norm = Infinity (squares overflowed) scales to 0: the update is dropped, not propagated.
    if (norm > bound) coefficients[i] = coefficients[i]! * (bound / norm)
  }
  return { aggregate: linearCombination(updates, coefficients, length) }
}

export function createNormBoundRule(options: { maxNorm?: number } = {}): RobustRule {
  return {
    name: 'norm-bound',
    citation:
      'Sun, Kairouz, Suresh, McMahan, "Can You Really Backdoor Federated Learning?", arXiv:1911.07963, 2019',
    tolerance: 'none (not Byzantine-robust; bounds each update’s influence to M/n)',
    byzantineRobust: false,
    assertTolerates: (_n, f) => assertValidF('norm-bound', f),
    aggregate: (input) =>
      normBound(input.updates, { maxNorm: options.maxNorm, weights: input.weights }),
  }
}
