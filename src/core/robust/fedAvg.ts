import { assertValidF } from './assertUpdateCount.ts'
import { linearCombination } from './linearCombination.ts'
import { resolveWeights } from './resolveWeights.ts'
import type { AggregationResult, RobustRule } from './robustRule.ts'
import { checkUpdates } from './screenUpdates.ts'

/**
 * Federated averaging (McMahan et al., AISTATS 2017): the example-weighted mean of
 * the updates. Tolerates no Byzantine update at all: one update can move the mean
 * anywhere. Here as the baseline every robust rule is measured against.
 */
export function fedAvg(
  updates: readonly Float64Array[],
  weights?: readonly number[],
): AggregationResult {
  const length = checkUpdates('fedavg', updates)
  const coefficients = resolveWeights('fedavg', updates.length, weights)
  return { aggregate: linearCombination(updates, coefficients, length) }
}

export const fedAvgRule: RobustRule = {
  name: 'fedavg',
  citation:
    'McMahan et al., "Communication-Efficient Learning of Deep Networks from Decentralized Data", AISTATS 2017',
  tolerance: 'none (not Byzantine-robust)',
  byzantineRobust: false,
  // A baseline must run under attack to show what the attack does, so any f is accepted.
  assertTolerates: (_n, f) => assertValidF('fedavg', f),
  aggregate: (input) => fedAvg(input.updates, input.weights),
}
