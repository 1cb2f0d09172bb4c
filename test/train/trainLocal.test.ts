import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { evaluateModel } from '../../src/core/metrics/evaluateModel.ts'
import { createModel } from '../../src/core/model/createModel.ts'
import type { ModelSpec } from '../../src/core/model/model.ts'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'
import { computeGradient } from '../../src/core/train/computeGradient.ts'
import { trainLocal } from '../../src/core/train/trainLocal.ts'
import { blobs, dataset, randomDataset } from '../model/fixtures.ts'

const options = { epochs: 5, batchSize: 16, learningRate: 0.05, momentum: 0.9 }

describe('trainLocal', () => {
  const cases: [ModelSpec, number][] = [
    [{ kind: 'logistic', inputDim: 4, outputDim: 1, hidden: [], l2: 1e-4 }, 2],
    [{ kind: 'softmax', inputDim: 4, outputDim: 3, hidden: [], l2: 1e-4 }, 3],
    [{ kind: 'mlp', inputDim: 4, outputDim: 4, hidden: [16, 8], l2: 1e-4 }, 4],
    [{ kind: 'linear', inputDim: 4, outputDim: 1, hidden: [], l2: 0 }, 2],
  ]
  for (const [spec, numClasses] of cases) {
    it(`${spec.kind} learns separable blobs`, () => {
      const rng = createSeededRng(11)
      const train = blobs(rng, 400, spec.inputDim, numClasses)
      const test = blobs(rng, 200, spec.inputDim, numClasses)
      const model = createModel(spec)
      const result = trainLocal(model, model.init(rng), train, options, rng)
      const metrics = evaluateModel(model, result.params, test)
      assert.ok(metrics.accuracy! >= 0.97, `accuracy ${metrics.accuracy}`)
      if (spec.kind !== 'linear') assert.ok(metrics.auc! >= 0.99, `auc ${metrics.auc}`)
      assert.ok(Number.isFinite(result.loss))
    })
  }

  it('linear regression recovers a noisy linear target', () => {
    const rng = createSeededRng(5)
    const n = 500
    const x = new Float32Array(n * 3)
    const y = new Float64Array(n)
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < 3; j++) x[i * 3 + j] = rng.normal()
      y[i] = 2 * x[i * 3]! - x[i * 3 + 1]! + 0.5 * x[i * 3 + 2]! + 1 + 0.05 * rng.normal()
    }
    const data = dataset('reg', x, y, n, 3, 0)
    const model = createModel({ kind: 'linear', inputDim: 3, outputDim: 1, hidden: [], l2: 0 })
    const result = trainLocal(model, model.init(rng), data, { ...options, learningRate: 0.02 }, rng)
    const metrics = evaluateModel(model, result.params, data)
    assert.ok(metrics.rmse! < 0.08, `rmse ${metrics.rmse}`)
    assert.ok(Math.abs(metrics.loss - metrics.rmse! ** 2 / 2) < 1e-12)
    const expected = [2, -1, 0.5, 1]
    result.params.forEach((v, j) => {
      assert.ok(Math.abs(v - expected[j]!) < 0.03)
    })
  })

  it('never mutates its input and is deterministic for a seed', () => {
    const rng = createSeededRng(1)
    const data = randomDataset(rng, 37, 5, 3)
    const model = createModel({ kind: 'mlp', inputDim: 5, outputDim: 3, hidden: [6], l2: 0.01 })
    const params = model.init(rng)
    const copy = Float64Array.from(params)
    const a = trainLocal(model, params, data, options, createSeededRng(9))
    const b = trainLocal(model, params, data, options, createSeededRng(9))
    const c = trainLocal(model, params, data, options, createSeededRng(10))
    assert.deepEqual(params, copy)
    assert.notEqual(a.params, params)
    assert.deepEqual(a, b)
    assert.notDeepEqual(a.params, c.params)
    // 37 rows in batches of 16 is 3 steps per epoch.
    assert.equal(a.steps, 15)
  })

  it('one full-batch step without momentum is θ − η·∇L, and the loss is the pre-step loss', () => {
    const rng = createSeededRng(2)
    const data = randomDataset(rng, 10, 4, 2)
    const model = createModel({ kind: 'softmax', inputDim: 4, outputDim: 2, hidden: [], l2: 0.1 })
    const params = model.init(rng)
    const { gradient, loss } = computeGradient(model, params, data)
    const result = trainLocal(
      model,
      params,
      data,
      { epochs: 1, batchSize: 10, learningRate: 0.5, momentum: 0 },
      rng,
    )
    assert.equal(result.steps, 1)
    assert.ok(Math.abs(result.loss - loss) < 1e-12)
    params.forEach((v, j) => {
      assert.ok(Math.abs(result.params[j]! - (v - 0.5 * gradient[j]!)) < 1e-12)
    })
  })

  it('heavy-ball momentum accumulates v ← μv + g across steps', () => {
    // Linear regression on one row: two single-row steps on the same row.
    const data = dataset('one', new Float32Array([1]), new Float64Array([1]), 1, 1, 0)
    const model = createModel({ kind: 'linear', inputDim: 1, outputDim: 1, hidden: [], l2: 0 })
    const opts = { epochs: 2, batchSize: 1, learningRate: 0.1, momentum: 0.5 }
    const result = trainLocal(model, new Float64Array([0, 0]), data, opts, createSeededRng(1))
    // Step 1: g = [−1, −1], v = g, θ = [0.1, 0.1]. Step 2: g = [−0.8, −0.8], v = −1.3, θ = 0.23.
    assert.ok(Math.abs(result.params[0]! - 0.23) < 1e-12)
    assert.ok(Math.abs(result.params[1]! - 0.23) < 1e-12)
    assert.ok(Math.abs(result.loss - 0.5 * 0.8 ** 2) < 1e-12)
  })

  it('rejects bad options and empty data', () => {
    const rng = createSeededRng(1)
    const data = randomDataset(rng, 4, 2, 2)
    const model = createModel({ kind: 'logistic', inputDim: 2, outputDim: 1, hidden: [], l2: 0 })
    const p = model.init(rng)
    const bad = { name: 'MsflError', code: 'CONFIG_INVALID' }
    assert.throws(() => trainLocal(model, p, data, { ...options, epochs: 0 }, rng), bad)
    assert.throws(() => trainLocal(model, p, data, { ...options, batchSize: 1.5 }, rng), bad)
    assert.throws(() => trainLocal(model, p, data, { ...options, learningRate: 0 }, rng), bad)
    assert.throws(() => trainLocal(model, p, data, { ...options, momentum: 1 }, rng), bad)
    const empty = { ...data, n: 0, x: new Float32Array(0), y: new Float64Array(0) }
    assert.throws(() => trainLocal(model, p, empty, options, rng), { code: 'DATA_INTEGRITY' })
  })
})

describe('computeGradient', () => {
  it('equals one full-batch lossAndGradient, across chunks', () => {
    // inputDim 3000 gives 349-row chunks, so 1000 rows take three.
    const rng = createSeededRng(4)
    const data = randomDataset(rng, 1000, 3000, 3, 0.9)
    const model = createModel({
      kind: 'softmax',
      inputDim: 3000,
      outputDim: 3,
      hidden: [],
      l2: 0.2,
    })
    const params = model.init(rng)
    const { gradient, loss } = computeGradient(model, params, data)
    const full = new Float64Array(model.numParams)
    const rows = Array.from({ length: data.n }, (_, i) => i)
    const fullLoss = model.lossAndGradient(params, { x: data.x, y: data.y, d: data.d, rows }, full)
    assert.ok(Math.abs(loss - fullLoss) < 1e-12)
    let worst = 0
    for (let j = 0; j < full.length; j++) worst = Math.max(worst, Math.abs(gradient[j]! - full[j]!))
    assert.ok(worst < 1e-12, `max abs difference ${worst}`)
  })
})
