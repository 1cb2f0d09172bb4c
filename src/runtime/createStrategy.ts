import { MsflError } from '../core/errors/msflError.ts'
import { createFedAvg } from '../core/fl/createFedAvg.ts'
import { createFedOpt } from '../core/fl/createFedOpt.ts'
import { createFedProx } from '../core/fl/createFedProx.ts'
import { createFedSgd } from '../core/fl/createFedSgd.ts'
import { createScaffold } from '../core/fl/createScaffold.ts'
import { sampleSize } from '../core/fl/sampleClients.ts'
import type { Strategy } from '../core/fl/strategy.ts'
import type { Rng } from '../core/rng/rng.ts'
import { createRobustRule } from '../core/robust/createRobustRule.ts'
import type { EnginePlan } from './config/planRun.ts'

/**
 * The plain engine's strategy (`--strategy`), with the plan's robust rule. The rule's f
 * comes from its spec's `f=` or the declared tolerance (`--tolerate`), never from who
 * attacks in a simulation: a deployment knows neither. `aggregationRng` feeds the rules that
 * draw random numbers (bucketing, FLAME): the CSPRNG in a deployment, seeded in a simulation.
 */
export function createStrategy(
  engine: EnginePlan,
  federation: { readonly clients: number; readonly numParams: number },
  aggregationRng?: Rng,
  /** The aggregator's own update on its clean data (FLTrust); only runtimes that hold such data give it. */
  serverUpdate?: (params: Float64Array) => Float64Array,
): Strategy {
  const rule =
    engine.robustRule === undefined
      ? undefined
      : createRobustRule(engine.robustRule, { tolerate: engine.tolerate }, aggregationRng)
  if (rule?.randomised && aggregationRng === undefined)
    throw new MsflError(
      'CONFIG_INVALID',
      `aggregator: ${rule.name} draws random numbers when it aggregates, and this runtime gives it no Rng`,
    )
  if (rule?.needsReference && serverUpdate === undefined)
    throw new MsflError(
      'CONFIG_INVALID',
      `aggregator: ${rule.name} needs a server update from clean data the aggregator holds, and this runtime has none`,
    )
  // Fail before the first round when the rule cannot tolerate f among the sampled clients.
  const sampled = sampleSize(federation.clients, engine.sampling)
  rule?.assertTolerates(sampled, rule.assumedF(sampled))
  const common = {
    sampling: engine.sampling,
    training: engine.training,
    ...(rule
      ? {
          aggregation: {
            rule,
            assumedF: rule.assumedF,
            ...(rule.needsReference && serverUpdate ? { reference: serverUpdate } : {}),
          },
        }
      : {}),
  }
  const spec = engine.strategy
  switch (spec.name) {
    case 'fedavg':
      return createFedAvg(common)
    case 'fedsgd':
      return createFedSgd({ ...common, serverLearningRate: engine.serverLearningRate })
    case 'fedprox':
      return createFedProx({ ...common, mu: spec.options.mu })
    case 'scaffold':
      // planRun refused a robust rule with SCAFFOLD: the control variates are not screened.
      return createScaffold({
        sampling: engine.sampling,
        training: engine.training,
        serverLearningRate: spec.options.lr,
        clients: federation.clients,
        numParams: federation.numParams,
      })
    default:
      return createFedOpt({ ...common, optimizer: spec })
  }
}
