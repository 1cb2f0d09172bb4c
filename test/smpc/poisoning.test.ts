import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Dataset } from '../../src/core/data/dataset.ts'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'
import { shareRing } from '../../src/core/smpc/additiveSharing.ts'
import { dealMaterial } from '../../src/core/smpc/dealMaterial.ts'
import { encodeFixedPoint, fixedPointIntegers } from '../../src/core/smpc/fixedPoint.ts'
import { ringAddConstantInto, ringSlice } from '../../src/core/smpc/ring64.ts'
import { runVerifierProtocol } from '../../src/core/smpc/runVerifierProtocol.ts'
import { planVerification } from '../../src/core/smpc/verificationPlan.ts'
import { maxRowAbsSum, weightBoundBits } from '../../src/core/smpc/weightBoundBits.ts'
import { runLockstep } from './lockstep.ts'
import { dataset, head, labelFlipped, trained, verify } from './smpcFixtures.ts'

function rows(data: Dataset, from: number, to: number): Dataset {
  return {
    ...data,
    n: to - from,
    x: data.x.subarray(from * data.d, to * data.d),
    y: data.y.subarray(from, to),
  }
}

function fedAvg(models: readonly { params: Float64Array; numExamples: number }[]): Float64Array {
  const total = models.reduce((s, m) => s + m.numExamples, 0)
  const out = new Float64Array(models[0]!.params.length)
  for (const m of models)
    for (let j = 0; j < out.length; j++) out[j]! += (m.numExamples / total) * m.params[j]!
  return out
}

describe('poisoned models are excluded and the rest aggregated', () => {
  it('excludes a label-flipped, a boosted and a NaN model; the aggregate is the FedAvg of the rest', async () => {
    const { train, test } = await dataset('digits')
    const honest = [
      { clientId: 'h1', params: trained(rows(train, 0, 400), 6, 1), numExamples: 400 },
      { clientId: 'h2', params: trained(rows(train, 400, 700), 6, 2), numExamples: 300 },
      { clientId: 'h3', params: trained(rows(train, 700, 1438), 4, 3), numExamples: 738 },
    ]
    const flipped = trained(labelFlipped(rows(train, 0, 500)), 2, 4)
    const boosted = honest[0]!.params.map((w) => w * 1e7)
    const broken = Float64Array.from(honest[1]!.params)
    broken[17] = Number.NaN
    const models = [
      ...honest,
      { clientId: 'label-flip', params: flipped, numExamples: 500 },
      { clientId: 'boosted', params: boosted, numExamples: 500 },
      { clientId: 'nan', params: broken, numExamples: 500 },
    ]
    const result = await verify(head(test, 250), models, { threshold: 0.6 })

    assert.deepEqual(result.accepted, ['h1', 'h2', 'h3'])
    const reasons = new Map(result.excluded.map((e) => [e.clientId, e.reason]))
    assert.match(reasons.get('label-flip')!, /accuracy 0\.\d+ below the threshold 0\.6/)
    assert.match(reasons.get('boosted')!, /parameters outside the verifiable range/)
    assert.match(reasons.get('nan')!, /^1 of 650 parameters outside/)
    assert.ok(result.models.find((m) => m.clientId === 'label-flip')!.accuracy < 0.2)
    // Boosting every weight by the same factor keeps the predictions: only the range check stops it.
    const boostedVerdict = result.models.find((m) => m.clientId === 'boosted')!
    assert.equal(boostedVerdict.correct, result.models[0]!.correct)

    const expected = fedAvg(honest)
    const global = result.globalParams!
    assert.equal(global.length, expected.length)
    let deviation = 0
    for (let j = 0; j < expected.length; j++)
      deviation = Math.max(deviation, Math.abs(global[j]! - expected[j]!))
    assert.ok(
      deviation <= result.aggregateErrorBound + 1e-12,
      `deviation ${deviation} > bound ${result.aggregateErrorBound}`,
    )
    assert.equal(result.aggregateErrorBound, 2 ** -17)
    const excludedNotices = result.notices.filter((n) => n.kind === 'model-excluded')
    assert.deepEqual(
      excludedNotices.map((n) => n.subject),
      ['label-flip', 'boosted', 'nan'],
    )
  })

  it('with drop, a model far below the round median is excluded even under a zero floor', async () => {
    const { train, test } = await dataset('digits')
    const honest = [0, 1, 2].map((i) => ({
      clientId: `h${i + 1}`,
      params: trained(rows(train, i * 400, (i + 1) * 400), 6, i + 1),
      numExamples: 400,
    }))
    const noise = honest[0]!.params.map((_, j) => Math.sin(j * 12.9898) * 0.5)
    const models = [...honest, { clientId: 'noise', params: noise, numExamples: 400 }]
    const lenient = await verify(head(test, 200), models, { threshold: 0 })
    assert.deepEqual(lenient.accepted, ['h1', 'h2', 'h3', 'noise'], 'a zero floor alone lets it in')
    const result = await verify(head(test, 200), models, { threshold: 0, drop: 0.1 })
    assert.deepEqual(result.accepted, ['h1', 'h2', 'h3'])
    const accuracies = result.models.map((m) => m.accuracy).sort((a, b) => a - b)
    const median = (accuracies[1]! + accuracies[2]!) / 2
    assert.match(
      result.excluded[0]!.reason,
      new RegExp(`below the threshold ${(median - 0.1).toFixed(4)} \\(the round's median`),
    )
  })

  it('yields no aggregate when every model fails', async () => {
    const { train, test } = await dataset('breast-cancer')
    const flipped = trained(labelFlipped(train), 2, 5)
    const result = await verify(head(test, 113), [
      { clientId: 'bad', params: flipped, numExamples: 9 },
    ])
    assert.deepEqual(result.accepted, [])
    assert.equal(result.globalParams, undefined)
    assert.deepEqual(
      result.notices.map((n) => n.kind),
      ['model-excluded', 'no-model-accepted'],
    )
  })
})

describe('the parameter range check stops ring wrap-around', () => {
  it('a bias shifted by 2^48 is invisible to every logit but is excluded', async () => {
    const { train, test } = await dataset('digits')
    const validation = head(test, 100)
    const f = 16
    const params = trained(train, 1, 6)
    const [d, k, n] = [validation.d, validation.numClasses, validation.n]
    const plan = planVerification({
      kind: 'softmax',
      inputDim: d,
      outputDim: k,
      samples: n,
      models: 2,
      validation: 'public',
    })
    const x = fixedPointIntegers(validation.x, f)
    const bound = weightBoundBits({
      kind: 'softmax',
      outputDim: k,
      dataRowBound: maxRowAbsSum(x, n, d),
      fractionBits: f,
      totalExamples: 2,
    })
    // A malicious owner can send any ring elements: bias + 2^48 becomes bias·2^16 + 2^64 in
    // every logit, i.e. nothing, yet decodes to bias + 2^32 in the aggregate.
    const honest = encodeFixedPoint(params, f)
    const wrapped = Uint32Array.from(honest)
    const bias = ringSlice(wrapped, d * k, k)
    ringAddConstantInto(bias, bias, 2n ** 48n)
    const rng = createSeededRng(7)
    const shares = [honest, wrapped].map((m) => shareRing(m, 3, rng))
    const materials = dealMaterial(plan, 3, rng)
    const labels = Int32Array.from(validation.y)
    const { results } = runLockstep(
      materials.map((material, p) =>
        runVerifierProtocol({
          party: { index: p, parties: 3 },
          plan,
          fractionBits: f,
          weightBoundBits: bound,
          threshold: 0,
          drop: 0,
          numExamples: [1, 1],
          modelShares: shares.map((s) => s[p]!),
          material,
          validation: { mode: 'public', x, labels },
        }),
      ),
    )
    const outcome = results[0]!
    assert.equal(outcome.correct[1], outcome.correct[0], 'the shift does not change a prediction')
    assert.equal(outcome.inRange[0], plan.paramsPerModel)
    assert.equal(
      outcome.inRange[1],
      plan.paramsPerModel - k,
      'exactly the k biases are out of range',
    )
    assert.deepEqual(outcome.accepted, [true, false])
  })
})
