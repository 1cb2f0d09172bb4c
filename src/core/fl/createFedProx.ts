import { createFedAvg } from './createFedAvg.ts'
import { sampledRoundPlanning } from './sampledRoundPlanning.ts'
import type { Strategy, StrategyParameters } from './strategy.ts'

/** Settings of FedProx: the strategy settings plus μ of the proximal term. */
export interface FedProxParameters extends StrategyParameters {
  /** μ ≥ 0 of μ/2·‖w − w_global‖²; 0 is FedAvg. */
  readonly mu: number
}

/**
 * FedProx (Li, Sahu, Zaheer, Sanjabi, Talwalkar, Smith, "Federated Optimization in
 * Heterogeneous Networks", MLSys 2020): every client minimises its local loss plus
 * μ/2·‖w − w_global‖², which bounds how far local training drifts towards the client's
 * own data when owners' data differ. The server aggregates exactly as FedAvg does; only
 * the round's local training carries μ (`proximalMu`).
 */
export function createFedProx(parameters: FedProxParameters): Strategy {
  const training = { ...parameters.training, proximalMu: parameters.mu }
  return {
    ...sampledRoundPlanning('fedprox', 'params', { ...parameters, training }),
    aggregate: createFedAvg(parameters).aggregate,
  }
}
