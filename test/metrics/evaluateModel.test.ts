import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { evaluateModel } from '../../src/core/metrics/evaluateModel.ts'
import { rocAuc } from '../../src/core/metrics/roc.ts'
import { createModel } from '../../src/core/model/createModel.ts'
import type { Model } from '../../src/core/model/model.ts'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'
import { dataset, randomDataset } from '../model/fixtures.ts'

const close = (a: number | undefined, b: number) =>
  assert.ok(a !== undefined && Math.abs(a - b) < 1e-12, `${a} vs ${b}`)

describe('evaluateModel', () => {
  it('logistic: threshold 0.5, loss without L2, AUC on P(y = 1)', () => {
    // One feature, w = 1, b = 0: P = σ(x).
    const x = new Float32Array([2, 1, -1, -2, 0.5])
    const y = new Float64Array([1, 0, 0, 1, 1])
    const data = dataset('toy', x, y, 5, 1, 2)
    const model = createModel({ kind: 'logistic', inputDim: 1, outputDim: 1, hidden: [], l2: 10 })
    const m = evaluateModel(model, new Float64Array([1, 0]), data)
    const sig = (z: number) => 1 / (1 + Math.exp(-z))
    const expectedLoss =
      -(
        Math.log(sig(2)) +
        Math.log(1 - sig(1)) +
        Math.log(1 - sig(-1)) +
        Math.log(sig(-2)) +
        Math.log(sig(0.5))
      ) / 5
    close(m.loss, expectedLoss)
    // Predicted [1, 1, 0, 0, 1] vs actual [1, 0, 0, 1, 1].
    assert.deepEqual(m.confusionMatrix, [
      [1, 1],
      [1, 2],
    ])
    close(m.accuracy, 3 / 5)
    close(m.precision, (1 / 2 + 2 / 3) / 2)
    close(m.recall, (1 / 2 + 2 / 3) / 2)
    close(m.auc, rocAuc([2, 1, -1, -2, 0.5], [1, 0, 0, 1, 1])!)
    assert.equal(m.rmse, undefined)
    assert.deepEqual(m.roc?.fpr.at(-1), 1)
  })

  it('softmax: argmax, macro OvR AUC and a micro ROC curve for K > 2', () => {
    const rng = createSeededRng(6)
    const data = randomDataset(rng, 3000, 4, 3)
    const model = createModel({ kind: 'softmax', inputDim: 4, outputDim: 3, hidden: [], l2: 0.5 })
    const params = model.init(rng)
    const m = evaluateModel(model, params, data)
    const probs = model.predict(params, data.x, data.n)
    let loss = 0
    let correct = 0
    for (let i = 0; i < data.n; i++) {
      const row = [probs[i * 3]!, probs[i * 3 + 1]!, probs[i * 3 + 2]!]
      loss -= Math.log(row[data.y[i]!]!)
      if (row.indexOf(Math.max(...row)) === data.y[i]) correct++
    }
    assert.ok(Math.abs(m.loss - loss / data.n) < 1e-10)
    close(m.accuracy, correct / data.n)
    assert.ok(m.auc! > 0 && m.auc! < 1)
    assert.ok(m.roc!.fpr.length <= 200)
    assert.equal(
      m.confusionMatrix!.flat().reduce((a, b) => a + b),
      data.n,
    )
  })

  it('binary softmax/MLP: the ROC curve is the positive class, AUC agrees with it', () => {
    const rng = createSeededRng(7)
    const data = randomDataset(rng, 100, 3, 2)
    const model = createModel({ kind: 'mlp', inputDim: 3, outputDim: 2, hidden: [4], l2: 0 })
    const params = model.init(rng)
    const m = evaluateModel(model, params, data)
    const probs = model.predict(params, data.x, data.n)
    const p1 = Array.from({ length: data.n }, (_, i) => probs[i * 2 + 1]!)
    close(m.auc, rocAuc(p1, Array.from(data.y))!)
  })

  it('linear regression: rmse, plus thresholded accuracy for 2 classes', () => {
    const x = new Float32Array([0, 1, 2, 3])
    const model = createModel({ kind: 'linear', inputDim: 1, outputDim: 1, hidden: [], l2: 1 })
    const params = new Float64Array([0.5, 0]) // ŷ = [0, 0.5, 1, 1.5]
    const reg = evaluateModel(
      model,
      params,
      dataset('r', x, new Float64Array([0, 1, 1, 2]), 4, 1, 0),
    )
    close(reg.rmse, Math.sqrt((0 + 0.25 + 0 + 0.25) / 4))
    close(reg.loss, (0.25 + 0.25) / 8)
    assert.equal(reg.accuracy, undefined)
    const cls = evaluateModel(
      model,
      params,
      dataset('c', x, new Float64Array([0, 0, 1, 0]), 4, 1, 2),
    )
    close(cls.accuracy, 2 / 4)
  })

  it('omits AUC when the data holds a single class', () => {
    const data = dataset('one', new Float32Array([1, 2]), new Float64Array([1, 1]), 2, 1, 2)
    const model = createModel({ kind: 'logistic', inputDim: 1, outputDim: 1, hidden: [], l2: 0 })
    const m = evaluateModel(model, new Float64Array([1, 0]), data)
    assert.equal(m.auc, undefined)
    assert.equal(m.roc, undefined)
    close(m.accuracy, 1)
  })

  it('accepts any Model implementation by rebuilding from its spec', () => {
    const inner = createModel({ kind: 'softmax', inputDim: 2, outputDim: 2, hidden: [], l2: 0 })
    const plain: Model = {
      spec: inner.spec,
      numParams: inner.numParams,
      init: (rng) => inner.init(rng),
      lossAndGradient: (p, b, g) => inner.lossAndGradient(p, b, g),
      predict: (p, x, n) => inner.predict(p, x, n),
    }
    const rng = createSeededRng(1)
    const data = randomDataset(rng, 20, 2, 2)
    const params = inner.init(rng)
    assert.deepEqual(evaluateModel(plain, params, data), evaluateModel(inner, params, data))
  })

  it('rejects mismatched or empty data', () => {
    const model = createModel({ kind: 'logistic', inputDim: 2, outputDim: 1, hidden: [], l2: 0 })
    const p = new Float64Array(3)
    const wrong = dataset('w', new Float32Array(3), new Float64Array(1), 1, 3, 2)
    assert.throws(() => evaluateModel(model, p, wrong), { code: 'MODEL_INVALID', message: /d = 3/ })
    const empty = dataset('e', new Float32Array(0), new Float64Array(0), 0, 2, 2)
    assert.throws(() => evaluateModel(model, p, empty), { code: 'DATA_INTEGRITY' })
  })
})
