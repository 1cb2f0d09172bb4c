import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createModel } from '../../src/core/model/createModel.ts'
import type { Batch, ModelSpec } from '../../src/core/model/model.ts'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'
import { randomDataset } from './fixtures.ts'

const specs: ModelSpec[] = [
  { kind: 'linear', inputDim: 6, outputDim: 1, hidden: [], l2: 0 },
  { kind: 'linear', inputDim: 6, outputDim: 1, hidden: [], l2: 0.3 },
  { kind: 'logistic', inputDim: 6, outputDim: 1, hidden: [], l2: 0 },
  { kind: 'logistic', inputDim: 6, outputDim: 1, hidden: [], l2: 0.3 },
  { kind: 'softmax', inputDim: 6, outputDim: 4, hidden: [], l2: 0 },
  { kind: 'softmax', inputDim: 6, outputDim: 4, hidden: [], l2: 0.3 },
  { kind: 'mlp', inputDim: 6, outputDim: 3, hidden: [5], l2: 0 },
  { kind: 'mlp', inputDim: 6, outputDim: 3, hidden: [7, 5], l2: 0.3 },
]

/** |a − b| / max(|a|, |b|), with a 1e-8 floor so two exact zeros compare equal. */
function relativeError(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(1e-8, Math.abs(a), Math.abs(b))
}

describe('analytic gradients match central finite differences', () => {
  for (const spec of specs) {
    const name = `${spec.kind} hidden=[${spec.hidden.join(',')}] l2=${spec.l2}`
    it(name, () => {
      const rng = createSeededRng(42)
      const model = createModel(spec)
      const numClasses = spec.kind === 'linear' ? 0 : spec.kind === 'logistic' ? 2 : spec.outputDim
      const data = randomDataset(rng, 12, spec.inputDim, numClasses)
      // Non-contiguous rows, so the batch view (not the row order) is what is tested.
      const batch: Batch = { x: data.x, y: data.y, d: data.d, rows: [0, 2, 3, 5, 7, 8, 11] }
      const params = model.init(rng)
      for (let j = 0; j < params.length; j++) params[j]! += 0.1 * rng.normal()

      const grad = new Float64Array(model.numParams).fill(123)
      const loss = model.lossAndGradient(params, batch, grad)
      assert.ok(Number.isFinite(loss))
      const scratch = new Float64Array(model.numParams)
      // h = 1e-4 balances truncation (O(h²)) against round-off (O(ε/h)); worst errors are ~1e-7.
      const h = 1e-4
      let worst = 0
      for (let j = 0; j < params.length; j++) {
        const saved = params[j]!
        params[j] = saved + h
        const up = model.lossAndGradient(params, batch, scratch)
        params[j] = saved - h
        const down = model.lossAndGradient(params, batch, scratch)
        params[j] = saved
        worst = Math.max(worst, relativeError(grad[j]!, (up - down) / (2 * h)))
      }
      assert.ok(worst < 1e-4, `max relative error ${worst} for ${name}`)

      // The gradient buffer is overwritten, not accumulated into.
      const again = new Float64Array(model.numParams).fill(-7)
      assert.equal(model.lossAndGradient(params, batch, again), loss)
      assert.deepEqual(again, grad)
    })
  }

  it('the L2 term covers weights only, never biases', () => {
    const spec: ModelSpec = { kind: 'softmax', inputDim: 3, outputDim: 2, hidden: [], l2: 2 }
    const model = createModel(spec)
    const plain = createModel({ ...spec, l2: 0 })
    const rng = createSeededRng(3)
    const data = randomDataset(rng, 4, 3, 2)
    const batch: Batch = { x: data.x, y: data.y, d: 3, rows: [0, 1, 2, 3] }
    const params = model.init(rng)
    params.set([0.5, -1], 6) // the two biases
    const g = new Float64Array(model.numParams)
    const g0 = new Float64Array(model.numParams)
    const loss = model.lossAndGradient(params, batch, g)
    const loss0 = plain.lossAndGradient(params, batch, g0)
    let sq = 0
    for (let j = 0; j < 6; j++) sq += params[j]! ** 2
    assert.ok(Math.abs(loss - loss0 - sq) < 1e-12)
    for (let j = 0; j < 6; j++) assert.ok(Math.abs(g[j]! - g0[j]! - 2 * params[j]!) < 1e-12)
    for (let j = 6; j < 8; j++) assert.equal(g[j], g0[j])
  })
})
