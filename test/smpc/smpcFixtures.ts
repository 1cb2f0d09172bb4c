import { loadDataset } from '../../src/adapters/data/index.ts'
import { createMemoryTransport } from '../../src/adapters/transport/index.ts'
import type { Dataset } from '../../src/core/data/dataset.ts'
import { scaleWithOwnStatistics } from '../../src/core/data/featureScaling.ts'
import { createModel } from '../../src/core/model/createModel.ts'
import type { ModelSpec } from '../../src/core/model/model.ts'
import type { MessageHandler } from '../../src/core/ports/transport.ts'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'
import { fixedPointInteger } from '../../src/core/smpc/fixedPoint.ts'
import { trainLocal } from '../../src/core/train/trainLocal.ts'
import {
  type VerifyAndAggregateParameters,
  verifyAndAggregate,
} from '../../src/runtime/smpc/verifyAndAggregate.ts'

export const memoryTransport = (handlers: ReadonlyMap<string, MessageHandler>) =>
  createMemoryTransport({ handlers })

const cache = new Map<string, Promise<{ train: Dataset; test: Dataset }>>()
export function dataset(name: string): Promise<{ train: Dataset; test: Dataset }> {
  let loaded = cache.get(name)
  if (!loaded) {
    // These tests are about verification, not preprocessing: the rows are scaled as one
    // party holding them all would (scaleWithOwnStatistics), the federated agreement aside.
    loaded = loadDataset({ name, options: {} }, 1).then(scaleWithOwnStatistics)
    cache.set(name, loaded)
  }
  return loaded
}

/** The first n rows of a dataset (a view). */
export function head(data: Dataset, n: number): Dataset {
  const rows = Math.min(n, data.n)
  return {
    ...data,
    n: rows,
    x: data.x.subarray(0, rows * data.d),
    y: data.y.subarray(0, rows),
  }
}

export function specFor(data: Dataset): ModelSpec {
  return data.numClasses > 2
    ? { kind: 'softmax', inputDim: data.d, outputDim: data.numClasses, hidden: [], l2: 0 }
    : { kind: 'logistic', inputDim: data.d, outputDim: 1, hidden: [], l2: 0 }
}

/** A model trained for `epochs` on `data` from a seeded start (deterministic). */
export function trained(data: Dataset, epochs: number, seed: number): Float64Array {
  const model = createModel(specFor(data))
  const rng = createSeededRng(seed)
  return trainLocal(
    model,
    model.init(rng),
    data,
    { epochs, batchSize: 32, learningRate: 0.1, momentum: 0 },
    rng,
  ).params
}

/** The same rows with labels shifted by one class: training on it gives a poisoned model. */
export function labelFlipped(data: Dataset): Dataset {
  const classes = Math.max(data.numClasses, 2)
  return { ...data, y: Float64Array.from(data.y, (y) => (y + 1) % classes) }
}

/** Data rounded to the fixed-point grid (exact in float32 for these datasets). */
export function onGrid(data: Dataset, fractionBits: number): Dataset {
  const scale = 2 ** fractionBits
  return {
    ...data,
    x: Float32Array.from(data.x, (v) => fixedPointInteger(v, fractionBits) / scale),
  }
}

export function paramsOnGrid(params: Float64Array, fractionBits: number): Float64Array {
  const scale = 2 ** fractionBits
  return Float64Array.from(params, (v) => fixedPointInteger(v, fractionBits) / scale)
}

/** verifyAndAggregate on `validation` with a seeded simulation Rng and the in-memory transport. */
export function verify(
  validation: Dataset,
  models: readonly { clientId: string; params: Float64Array; numExamples: number }[],
  options: Partial<VerifyAndAggregateParameters> & { seed?: number } = {},
) {
  const { seed, ...rest } = options
  return verifyAndAggregate({
    models,
    model: specFor(validation),
    validation: {
      x: validation.x,
      y: validation.y,
      n: validation.n,
      d: validation.d,
      numClasses: validation.numClasses,
    },
    threshold: 0.5,
    rng: createSeededRng(seed ?? 7),
    simulation: true,
    makeTransport: memoryTransport,
    ...rest,
  })
}
