import { MsflError } from '../errors/msflError.ts'
import { aggregateUpdates } from './aggregateUpdates.ts'
import { sampledRoundPlanning } from './sampledRoundPlanning.ts'
import type { Strategy, StrategyParameters } from './strategy.ts'

/** Settings of FedSGD: the strategy settings plus the server's learning rate. */
export interface FedSgdParameters extends StrategyParameters {
  /** Step size the server applies to the aggregated gradient. */
  readonly serverLearningRate: number
}

/**
 * FedSGD: every client returns the gradient of its full local loss at the global
 * parameters; the server takes one step along their combination (example-weighted
 * mean, or a robust rule). This is large-batch gradient descent, and the shape the
 * encrypted MS-FL protocol uses.
 */
export function createFedSgd(parameters: FedSgdParameters): Strategy {
  return {
    ...sampledRoundPlanning('fedsgd', 'gradient', parameters),
    aggregate(_round, params, results) {
      for (const r of results)
        if (r.kind !== 'gradient')
          throw new MsflError(
            'PROTOCOL',
            `FedSGD expected a gradient from ${r.clientId}, got ${r.kind}`,
          )
      const { aggregate, ...decisions } = aggregateUpdates(
        results.map((r) => r.vector),
        results,
        parameters.aggregation,
      )
      const next = new Float64Array(params.length)
      const eta = parameters.serverLearningRate
      for (let j = 0; j < params.length; j++) next[j] = params[j]! - eta * aggregate[j]!
      return { params: next, ...decisions }
    },
  }
}
