import { createFedAvg } from '../core/fl/createFedAvg.ts'
import { createFedSgd } from '../core/fl/createFedSgd.ts'
import { sampleSize } from '../core/fl/sampleClients.ts'
import type { Strategy } from '../core/fl/strategy.ts'
import { createRobustRule } from '../core/robust/createRobustRule.ts'
import type { EnginePlan } from './config/planRun.ts'

/** The plain engine's strategy: FedAvg or FedSGD, with the plan's robust rule. */
export function createStrategy(
  engine: EnginePlan,
  clients: number,
  attackerCount: number,
): Strategy {
  const rule =
    engine.robustRule === undefined
      ? undefined
      : createRobustRule(engine.robustRule, { f: attackerCount })
  const f = rule?.f ?? attackerCount
  // Fail before the first round when the rule cannot tolerate f among the sampled clients.
  rule?.assertTolerates(sampleSize(clients, engine.sampling), f)
  const common = {
    sampling: engine.sampling,
    training: engine.training,
    ...(rule ? { aggregation: { rule, f } } : {}),
  }
  return engine.strategy === 'fedsgd'
    ? createFedSgd({ ...common, serverLearningRate: engine.serverLearningRate })
    : createFedAvg(common)
}
