import { MsflError } from '../core/errors/msflError.ts'
import { createFedAvg } from '../core/fl/createFedAvg.ts'
import { createFedSgd } from '../core/fl/createFedSgd.ts'
import { sampleSize } from '../core/fl/sampleClients.ts'
import type { Strategy } from '../core/fl/strategy.ts'
import { createRobustRule } from '../core/robust/createRobustRule.ts'
import type { SimulationConfig } from './config/simulationConfig.ts'

/** The plain engine's strategy for a config: FedAvg or FedSGD, with the configured robust rule. */
export function createStrategy(config: SimulationConfig, attackerCount: number): Strategy {
  const rule =
    config.aggregator === 'fedavg'
      ? undefined
      : createRobustRule(config.aggregator, { f: attackerCount })
  const f = rule?.f ?? attackerCount
  // Fail before the first round when the rule cannot tolerate f among the sampled clients.
  rule?.assertTolerates(sampleSize(config.clients, config.sampling), f)
  const common = {
    sampling: config.sampling,
    training: config.training,
    ...(rule ? { aggregation: { rule, f } } : {}),
  }
  switch (config.strategy) {
    case 'fedavg':
      return createFedAvg(common)
    case 'fedsgd':
      return createFedSgd({ ...common, serverLearningRate: config.serverLearningRate })
    default:
      throw new MsflError(
        'CONFIG_INVALID',
        `strategy: unknown strategy ${JSON.stringify(config.strategy)}`,
      )
  }
}
