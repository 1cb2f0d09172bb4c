import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createModel } from '../../src/core/model/createModel.ts'
import { createLogisticRegression } from '../../src/core/model/logisticRegression.ts'
import type { ModelSpec } from '../../src/core/model/model.ts'
import { parameterLayout } from '../../src/core/model/parameterLayout.ts'
import { createSoftmaxRegression } from '../../src/core/model/softmaxRegression.ts'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'
import { randomDataset } from './fixtures.ts'

describe('predict', () => {
  for (const spec of [
    { kind: 'softmax', inputDim: 5, outputDim: 4, hidden: [], l2: 0 },
    { kind: 'mlp', inputDim: 5, outputDim: 3, hidden: [8, 6], l2: 0 },
  ] satisfies ModelSpec[]) {
    it(`${spec.kind} rows are probability distributions`, () => {
      const rng = createSeededRng(1)
      const model = createModel(spec)
      const data = randomDataset(rng, 50, spec.inputDim, spec.outputDim)
      const params = model.init(rng)
      for (let j = 0; j < params.length; j++) params[j]! *= 5
      const out = model.predict(params, data.x, data.n)
      assert.equal(out.length, data.n * spec.outputDim)
      for (let i = 0; i < data.n; i++) {
        let sum = 0
        for (let c = 0; c < spec.outputDim; c++) {
          const p = out[i * spec.outputDim + c]!
          assert.ok(p >= 0 && p <= 1)
          sum += p
        }
        assert.ok(Math.abs(sum - 1) < 1e-12, `row ${i} sums to ${sum}`)
      }
    })
  }

  it('works across internal chunks and agrees with meanLoss outputs', () => {
    // inputDim 2000 makes chunkRows 524, so 1200 rows span three chunks.
    const rng = createSeededRng(2)
    const model = createSoftmaxRegression({ inputDim: 2000, numClasses: 3 })
    const data = randomDataset(rng, 1200, 2000, 3, 0.8)
    const params = model.init(rng)
    const all = model.predict(params, data.x, data.n)
    const rows = Array.from({ length: data.n }, (_, i) => i)
    const viaLoss = new Float64Array(all.length)
    model.meanLoss(params, { x: data.x, y: data.y, d: data.d, rows }, viaLoss)
    assert.deepEqual(all, viaLoss)
    const last = model.predict(params, data.x.subarray(1199 * 2000), 1)
    assert.deepEqual(last, all.subarray(1199 * 3))
  })

  it('follows the documented layout: W[i][o] at weightOffset + i·out + o, then bias', () => {
    const spec: ModelSpec = { kind: 'mlp', inputDim: 2, outputDim: 2, hidden: [3], l2: 0 }
    const model = createModel(spec)
    const layers = parameterLayout(spec)
    assert.deepEqual(
      layers.map((l) => [l.inDim, l.outDim, l.weightOffset, l.biasOffset, l.end]),
      [
        [2, 3, 0, 6, 9],
        [3, 2, 9, 15, 17],
      ],
    )
    assert.equal(model.numParams, 17)
    const params = new Float64Array(17)
    // Hidden unit 1 = relu(2·x0 − x1 + 0.5); output logits = [hidden1, −hidden1 + 1].
    params[0 * 3 + 1] = 2
    params[1 * 3 + 1] = -1
    params[6 + 1] = 0.5
    params[9 + 1 * 2 + 0] = 1
    params[9 + 1 * 2 + 1] = -1
    params[15 + 1] = 1
    const x = new Float32Array([1, 0.5, -3, 1])
    const out = model.predict(params, x, 2)
    const softmax2 = (a: number, b: number) => [
      1 / (1 + Math.exp(b - a)),
      1 / (1 + Math.exp(a - b)),
    ]
    const h0 = 2 * 1 - 0.5 + 0.5
    const expected = [...softmax2(h0, 1 - h0), ...softmax2(0, 1)]
    for (let i = 0; i < 4; i++) assert.ok(Math.abs(out[i]! - expected[i]!) < 1e-12)
  })

  it('logistic and softmax losses stay finite for huge logits', () => {
    const logistic = createLogisticRegression({ inputDim: 1 })
    const x = new Float32Array([1, -1])
    const y = new Float64Array([0, 1])
    const batch = { x, y, d: 1, rows: [0, 1] }
    const params = new Float64Array([1000, 0])
    const grad = new Float64Array(2)
    // Both rows are wrong with logit magnitude 1000: log-loss 1000 each, gradient mean of (p − y)·x.
    assert.equal(logistic.lossAndGradient(params, batch, grad), 1000)
    assert.deepEqual([...grad], [1, 0])
    assert.deepEqual([...logistic.predict(params, x, 2)], [1, 0])

    const softmax = createSoftmaxRegression({ inputDim: 1, numClasses: 2 })
    const sp = new Float64Array([-800, 800, 0, 0])
    const loss = softmax.lossAndGradient(sp, batch, new Float64Array(4))
    assert.equal(loss, 1600)
  })

  it('rejects bad params, labels and rows with MODEL_INVALID', () => {
    const model = createSoftmaxRegression({ inputDim: 2, numClasses: 3 })
    const x = new Float32Array(4)
    const batch = { x, y: new Float64Array([0, 3]), d: 2, rows: [0, 1] }
    const grad = new Float64Array(model.numParams)
    const code = { name: 'MsflError', code: 'MODEL_INVALID' }
    assert.throws(() => model.lossAndGradient(new Float64Array(3), batch, grad), code)
    assert.throws(() => model.lossAndGradient(model.init(createSeededRng(1)), batch, grad), {
      ...code,
      message: /y\[1\] = 3/,
    })
    const okY = { ...batch, y: new Float64Array([0, 1]) }
    assert.throws(
      () => model.lossAndGradient(new Float64Array(9), { ...okY, rows: [0, 2] }, grad),
      {
        ...code,
        message: /rows\[1\] = 2/,
      },
    )
    assert.throws(() => model.lossAndGradient(new Float64Array(9), { ...okY, d: 3 }, grad), code)
    assert.throws(
      () => model.lossAndGradient(new Float64Array(9), { ...okY, rows: [] }, grad),
      code,
    )
  })
})
