import { sampleClients } from './sampleClients.ts'
import type { RoundPlan, Strategy, StrategyParameters } from './strategy.ts'

/**
 * What the built-in strategies share apart from aggregation: the strategy's name, with
 * its robust rule appended (e.g. 'fedavg+krum'), and rounds that sample clients and ask
 * each for `mode` with the configured local training.
 */
export function sampledRoundPlanning(
  protocol: string,
  mode: RoundPlan['mode'],
  parameters: Pick<StrategyParameters, 'sampling' | 'training' | 'aggregation'>,
): Pick<Strategy, 'name' | 'configureRound'> {
  return {
    name: parameters.aggregation ? `${protocol}+${parameters.aggregation.rule.name}` : protocol,
    configureRound: (_round, available, rng) => ({
      clients: sampleClients(available, parameters.sampling, rng),
      mode,
      training: parameters.training,
    }),
  }
}
