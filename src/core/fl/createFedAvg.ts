import { aggregateChanges } from './aggregateChanges.ts'
import { sampledRoundPlanning } from './sampledRoundPlanning.ts'
import type { Strategy, StrategyParameters } from './strategy.ts'

/**
 * FedAvg (McMahan et al., AISTATS 2017): clients train locally and the server
 * combines their updates, by default the example-weighted mean. With a robust rule
 * the rule sees the deltas (client parameters minus the global model), which is
 * what distance- and norm-based defences are defined on.
 */
export function createFedAvg(parameters: StrategyParameters): Strategy {
  return {
    ...sampledRoundPlanning('fedavg', 'params', parameters),
    aggregate(_round, params, results) {
      const { aggregate, ...decisions } = aggregateChanges(
        'FedAvg',
        params,
        results,
        parameters.aggregation,
      )
      const next = new Float64Array(params.length)
      for (let j = 0; j < params.length; j++) next[j] = params[j]! + aggregate[j]!
      return { params: next, ...decisions }
    },
  }
}
