import type { Dataset } from '../core/data/dataset.ts'
import type { LocalTrainingConfig } from '../core/fl/messages.ts'
import { vectorDifference } from '../core/fl/vectorDifference.ts'
import type { Model } from '../core/model/model.ts'
import { createSeededRng, deriveSeed } from '../core/rng/seededRng.ts'
import { trainLocal } from '../core/train/trainLocal.ts'

/**
 * FLTrust's server update: the aggregator trains the global model on its own clean rows (the
 * requestor's validation set) with the owners' local-training settings and returns the change,
 * the reference every owner's update is scored against. The k-th call shuffles with a seed
 * derived from (seed, k), so a simulation replays exactly.
 */
export function serverUpdate(
  model: Model,
  data: Dataset,
  training: LocalTrainingConfig,
  seed: number,
): (params: Float64Array) => Float64Array {
  let calls = 0
  return (params) => {
    calls++
    const rng = createSeededRng(deriveSeed(seed, 'server-update', calls))
    return vectorDifference(trainLocal(model, params, data, training, rng).params, params)
  }
}
