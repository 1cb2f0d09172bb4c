import { aggregateChanges } from './aggregateChanges.ts'
import { createServerOptimizer } from './createServerOptimizer.ts'
import type { ServerOptimizerSpec } from './parseStrategySpec.ts'
import { sampledRoundPlanning } from './sampledRoundPlanning.ts'
import type { Strategy, StrategyParameters } from './strategy.ts'

/** Settings of a FedOpt strategy: the strategy settings plus the server optimiser and its options. */
export interface FedOptParameters extends StrategyParameters {
  /** FedAvgM, FedAdagrad, FedAdam or FedYogi, with its options (`parseStrategySpec`). */
  readonly optimizer: ServerOptimizerSpec
}

/**
 * FedOpt (Reddi et al., "Adaptive Federated Optimization", ICLR 2021): clients train as
 * in FedAvg; the server treats the combined change Δ (the weighted mean, or the robust
 * rule's aggregate) as a pseudo-gradient and moves the global model with its own
 * optimiser (`createServerOptimizer`): server momentum (FedAvgM) or an adaptive
 * per-coordinate step (FedAdagrad, FedAdam, FedYogi). The moments persist across rounds,
 * so make one strategy per run.
 */
export function createFedOpt(parameters: FedOptParameters): Strategy {
  const step = createServerOptimizer(parameters.optimizer)
  const protocol = parameters.optimizer.name
  return {
    ...sampledRoundPlanning(protocol, 'params', parameters),
    aggregate(_round, params, results) {
      const { aggregate, ...decisions } = aggregateChanges(
        protocol,
        params,
        results,
        parameters.aggregation,
      )
      return { params: step(params, aggregate), ...decisions }
    },
  }
}
