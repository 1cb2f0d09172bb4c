import type { Dataset } from '../core/data/dataset.ts'
import type { Strategy } from '../core/fl/strategy.ts'
import type { Model } from '../core/model/model.ts'
import type { Rng } from '../core/rng/rng.ts'
import { createSeededRng, deriveSeed } from '../core/rng/seededRng.ts'
import { createRobustRule } from '../core/robust/createRobustRule.ts'
import type { EnginePlan } from './config/planRun.ts'
import { createStrategy } from './createStrategy.ts'
import { serverUpdate } from './serverUpdate.ts'

/** Whether the plan's rule scores owners against the aggregator's own update (FLTrust). */
export function needsServerUpdate(engine: EnginePlan): boolean {
  return engine.robustRule !== undefined
    ? createRobustRule(engine.robustRule, { f: 0 }).needsReference
    : false
}

/**
 * What a simulation's aggregation rule draws from (bucketing's buckets, FLAME's noise): seeded,
 * so a run replays exactly. A deployment (serveFederation) gives the rule the CSPRNG instead.
 */
export function simulationAggregationRng(seed: number): Rng {
  return createSeededRng(deriveSeed(seed, 'aggregation'))
}

/**
 * The plain engine's strategy in a simulation: seeded aggregation randomness and, for a rule
 * that needs it, the server update on the requestor's held-out rows (`validation`).
 */
export function createSimulationStrategy(
  engine: EnginePlan,
  basics: { readonly clients: number; readonly seed: number },
  model: Model,
  validation: Dataset | undefined,
): Strategy {
  return createStrategy(
    engine,
    { clients: basics.clients, numParams: model.numParams },
    simulationAggregationRng(basics.seed),
    needsServerUpdate(engine) && validation
      ? serverUpdate(model, validation, engine.training, basics.seed)
      : undefined,
  )
}
