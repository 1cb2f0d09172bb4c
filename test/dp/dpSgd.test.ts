import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createCsprng } from '../../src/adapters/random/index.ts'
import { createClippedGradientSum } from '../../src/core/dp/clippedGradientSum.ts'
import { createDpTrainingClient } from '../../src/core/dp/createDpTrainingClient.ts'
import { calibrateDpSgd, planDpSgdRound } from '../../src/core/dp/planDpSgd.ts'
import { createRdpAccountant } from '../../src/core/dp/rdpAccountant.ts'
import { trainDpSgd } from '../../src/core/dp/trainDpSgd.ts'
import { MsflError } from '../../src/core/errors/msflError.ts'
import type { ClientMessage } from '../../src/core/fl/messages.ts'
import { evaluateModel } from '../../src/core/metrics/evaluateModel.ts'
import { createModel } from '../../src/core/model/createModel.ts'
import type { Model, ModelSpec } from '../../src/core/model/model.ts'
import { l2Penalty, parameterLayout } from '../../src/core/model/parameterLayout.ts'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'
import { computeGradient } from '../../src/core/train/computeGradient.ts'
import { blobs, randomDataset } from '../model/fixtures.ts'

const SPECS: [ModelSpec, number][] = [
  [{ kind: 'logistic', inputDim: 6, outputDim: 1, hidden: [], l2: 0.01 }, 2],
  [{ kind: 'softmax', inputDim: 6, outputDim: 4, hidden: [], l2: 0.01 }, 4],
  [{ kind: 'linear', inputDim: 6, outputDim: 1, hidden: [], l2: 0 }, 0],
  [{ kind: 'mlp', inputDim: 6, outputDim: 3, hidden: [5], l2: 0.01 }, 3],
]

/** Σ clip(∇ℓ_r) computed the slow, obvious way: one backward pass per row, L2 term removed. */
function referenceClippedSum(
  model: Model,
  params: Float64Array,
  x: Float32Array,
  y: Float64Array,
  d: number,
  rows: number[],
  clipNorm: number,
): { sum: Float64Array; clipped: number } {
  const sum = new Float64Array(model.numParams)
  const grad = new Float64Array(model.numParams)
  let clipped = 0
  for (const row of rows) {
    model.lossAndGradient(params, { x, y, d, rows: [row] }, grad)
    for (const layer of parameterLayout(model.spec))
      for (let j = layer.weightOffset; j < layer.biasOffset; j++)
        grad[j]! -= model.spec.l2 * params[j]!
    const norm = Math.hypot(...grad)
    const scale = norm > clipNorm ? clipNorm / norm : 1
    if (norm > clipNorm) clipped++
    for (let j = 0; j < sum.length; j++) sum[j]! += scale * grad[j]!
  }
  return { sum, clipped }
}

describe('per-example clipped gradient sums', () => {
  for (const [spec, numClasses] of SPECS) {
    it(`${spec.kind}: equals clipping each example's own gradient (L2 term excluded)`, () => {
      const rng = createSeededRng(3)
      const data = randomDataset(rng, 40, spec.inputDim, numClasses)
      if (spec.kind === 'logistic') for (let i = 0; i < data.n; i++) data.y[i] = i % 2
      const model = createModel(spec)
      const params = model.init(rng)
      const rows = [0, 3, 4, 9, 17, 17, 22, 39]
      for (const clipNorm of [0.05, 0.5, 1e6]) {
        const expected = referenceClippedSum(model, params, data.x, data.y, data.d, rows, clipNorm)
        const sum = new Float64Array(model.numParams)
        const batch = { x: data.x, y: data.y, d: data.d, rows: Int32Array.from(rows) }
        const result = createClippedGradientSum(model)(params, batch, clipNorm, sum)
        assert.equal(result.clipped, expected.clipped, `clipped at C = ${clipNorm}`)
        sum.forEach((v, j) => {
          assert.ok(Math.abs(v - expected.sum[j]!) < 1e-10, `coord ${j}`)
        })
        // The reported loss is the data loss only, summed over the rows.
        let loss = 0
        for (const row of rows)
          loss +=
            model.lossAndGradient(
              params,
              { x: data.x, y: data.y, d: data.d, rows: [row] },
              new Float64Array(model.numParams),
            ) - l2Penalty(spec, params)
        assert.ok(Math.abs(result.lossSum - loss) < 1e-9)
      }
    })
  }
})

describe('trainDpSgd', () => {
  const spec: ModelSpec = { kind: 'softmax', inputDim: 20, outputDim: 5, hidden: [], l2: 0.1 }
  const model = createModel(spec)
  const data = randomDataset(createSeededRng(8), 200, 20, 5)
  const params = model.init(createSeededRng(9))
  const base = { clipNorm: 1e9, noiseMultiplier: 0, samplingRate: 1, steps: 1 }
  const sgd = { learningRate: 0.3, momentum: 0, simulation: true }

  it('without clipping, noise or sampling it is one full-batch gradient step (divisor q·n, L2 added)', () => {
    const out = trainDpSgd(model, params, data, { ...base, ...sgd }, createSeededRng(1))
    const { gradient } = computeGradient(model, params, data)
    out.params.forEach((v, j) => {
      assert.ok(Math.abs(v - (params[j]! - 0.3 * gradient[j]!)) < 1e-12)
    })
    assert.equal(out.meanBatchSize, data.n)
    assert.equal(out.clippedFraction, 0)
  })

  it('adds N(0, σ²C²) to the clipped sum and divides by the expected batch q·n', () => {
    const clipNorm = 0.5
    const sigma = 3
    const noiseless = trainDpSgd(
      model,
      params,
      data,
      { ...base, ...sgd, clipNorm },
      createSeededRng(1),
    )
    const noisy = trainDpSgd(
      model,
      params,
      data,
      { ...base, ...sgd, clipNorm, noiseMultiplier: sigma },
      createSeededRng(1),
    )
    // θ_noisy − θ_clean = −η·noise/(q·n); the noise per coordinate has std σ·C.
    const noise = noisy.params.map((v, j) => ((noiseless.params[j]! - v) * data.n) / 0.3)
    const mean = noise.reduce((a, b) => a + b, 0) / noise.length
    const std = Math.sqrt(noise.reduce((a, b) => a + (b - mean) ** 2, 0) / noise.length)
    assert.ok(Math.abs(std / (sigma * clipNorm) - 1) < 0.15, `std ${std}`)
    assert.ok(Math.abs(mean) < 0.3 * std, `mean ${mean}`)
  })

  it('draws Poisson batches of mean q·n, and still moves by the noise when a batch is empty', () => {
    const q = 0.05
    const out = trainDpSgd(
      model,
      params,
      data,
      { ...base, ...sgd, samplingRate: q, steps: 400, noiseMultiplier: 1, clipNorm: 1 },
      createSeededRng(2),
    )
    assert.ok(Math.abs(out.meanBatchSize - q * data.n) < 0.5, `mean batch ${out.meanBatchSize}`)
    const tiny = randomDataset(createSeededRng(4), 3, 20, 5)
    const one = { ...base, ...sgd, samplingRate: 1e-9, noiseMultiplier: 1, clipNorm: 1 }
    const moved = trainDpSgd(model, params, tiny, one, createSeededRng(5))
    assert.equal(moved.meanBatchSize, 0)
    assert.ok(moved.params.some((v, j) => v !== params[j]))
  })

  it('refuses a seeded Rng outside an explicit simulation, and accepts a CSPRNG', () => {
    const options = { ...base, learningRate: 0.1, momentum: 0 }
    assert.throws(
      () => trainDpSgd(model, params, data, options, createSeededRng(1)),
      (e: unknown) => e instanceof MsflError && /CSPRNG/.test(e.message),
    )
    const out = trainDpSgd(model, params, data, { ...options, noiseMultiplier: 1 }, createCsprng())
    assert.equal(out.params.length, model.numParams)
    assert.ok(!out.params.every((v, j) => v === params[j]))
  })

  it('learns separable blobs under noise at ε < 2 (δ = 1e-5)', () => {
    const rng = createSeededRng(21)
    const train = blobs(rng, 2000, 4, 3)
    const test = blobs(rng, 500, 4, 3)
    const m = createModel({ kind: 'softmax', inputDim: 4, outputDim: 3, hidden: [], l2: 0 })
    const plan = planDpSgdRound(train.n, { epochs: 3, batchSize: 100 })
    const sigma = 1.5
    const out = trainDpSgd(
      m,
      m.init(rng),
      train,
      { clipNorm: 1, noiseMultiplier: sigma, ...plan, learningRate: 0.5, momentum: 0.5 },
      createCsprng(),
    )
    assert.ok(evaluateModel(m, out.params, test).accuracy! >= 0.95)
    const spent = createRdpAccountant({ ...plan, noiseMultiplier: sigma, delta: 1e-5 }).step(
      plan.steps,
    )
    assert.ok(spent.epsilon < 2, `ε ${spent.epsilon}`)
  })
})

describe('planning', () => {
  it('a round is epochs × ⌈n/B⌉ steps at q = B/n', () => {
    assert.deepEqual(planDpSgdRound(3256, { epochs: 1, batchSize: 256 }), {
      samplingRate: 256 / 3256,
      steps: 13,
    })
    assert.deepEqual(planDpSgdRound(100, { epochs: 2, batchSize: 500 }), {
      samplingRate: 1,
      steps: 2,
    })
    assert.throws(() => planDpSgdRound(0, { epochs: 1, batchSize: 1 }), MsflError)
  })

  it('calibrateDpSgd gives the σ that ends exactly within the budget', () => {
    const training = { epochs: 1, batchSize: 256 }
    const sigma = calibrateDpSgd({ n: 3256, training, rounds: 20, targetEpsilon: 3, delta: 1e-5 })
    const plan = planDpSgdRound(3256, training)
    const accountant = createRdpAccountant({ ...plan, noiseMultiplier: sigma, delta: 1e-5 })
    const spent = accountant.step(20 * plan.steps)
    assert.ok(spent.epsilon <= 3 && spent.epsilon > 2.999, `ε ${spent.epsilon}`)
  })
})

describe('createDpTrainingClient', () => {
  const spec: ModelSpec = { kind: 'logistic', inputDim: 5, outputDim: 1, hidden: [], l2: 0 }
  const model = createModel(spec)
  const data = blobs(createSeededRng(6), 300, 5, 2)
  const training = { epochs: 1, batchSize: 30, learningRate: 0.5, momentum: 0 }
  const dp = { clipNorm: 1, noiseMultiplier: 1.0, delta: 1e-5 }
  const fit = (round: number, mode: 'params' | 'gradient' = 'params') => ({
    type: 'fit',
    runId: 'r',
    round,
    mode,
    params: new Float64Array(model.numParams),
    training,
  })

  it('trains with DP-SGD, tracks ε per round, releases no loss, and stops itself at the budget', async () => {
    const plan = planDpSgdRound(data.n, training)
    const reference = createRdpAccountant({
      ...plan,
      noiseMultiplier: dp.noiseMultiplier,
      delta: dp.delta,
    })
    reference.step(3 * plan.steps)
    const budget = (reference.spent().epsilon + reference.spentAfter(plan.steps).epsilon) / 2
    const client = createDpTrainingClient({
      clientId: 'do-0',
      model,
      data,
      dp: { ...dp, epsilonBudget: budget },
      rng: createSeededRng(1),
      simulation: true,
    })
    for (let round = 1; round <= 3; round++) {
      assert.equal(client.wouldExceedBudget(training), false)
      const reply = (await client.handle(fit(round))) as ClientMessage
      assert.equal(reply.type, 'fit-result')
      if (reply.type !== 'fit-result') return
      assert.equal(reply.trainLoss, 0)
      assert.equal(reply.numExamples, data.n)
    }
    const history = client.history()
    assert.deepEqual(
      history.map((h) => h.round),
      [1, 2, 3],
    )
    assert.ok(
      history[0]!.epsilon < history[1]!.epsilon && history[1]!.epsilon < history[2]!.epsilon,
    )
    assert.ok(Math.abs(client.spent().epsilon - reference.spent().epsilon) < 1e-12)
    assert.equal(client.wouldExceedBudget(training), true)
    const refused = (await client.handle(fit(4))) as ClientMessage
    assert.equal(refused.type, 'error')
    assert.match(refused.type === 'error' ? refused.message : '', /privacy budget exhausted/)
    assert.equal(client.spent().steps, 3 * plan.steps, 'a refused round spends nothing')
  })

  it('refuses FedSGD gradient rounds, malformed instructions and a seeded Rng without simulation', async () => {
    const client = createDpTrainingClient({
      clientId: 'do-0',
      model,
      data,
      dp,
      rng: createSeededRng(1),
      simulation: true,
    })
    const gradient = (await client.handle(fit(1, 'gradient'))) as ClientMessage
    assert.equal(gradient.type, 'error')
    const bad = (await client.handle({ type: 'fit', round: 1 })) as ClientMessage
    assert.equal(bad.type, 'error')
    assert.equal(client.spent().steps, 0)
    assert.throws(
      () => createDpTrainingClient({ clientId: 'do-0', model, data, dp, rng: createSeededRng(1) }),
      (e: unknown) => e instanceof MsflError && /CSPRNG/.test(e.message),
    )
    createDpTrainingClient({ clientId: 'do-0', model, data, dp, rng: createCsprng() })
  })
})
