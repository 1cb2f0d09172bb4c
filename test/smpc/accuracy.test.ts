import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Dataset } from '../../src/core/data/dataset.ts'
import { evaluateModel } from '../../src/core/metrics/evaluateModel.ts'
import { createModel } from '../../src/core/model/createModel.ts'
import { fixedPointCorrect } from './fixedPointReference.ts'
import { dataset, head, onGrid, paramsOnGrid, specFor, trained, verify } from './smpcFixtures.ts'

const F = 16

/** Plaintext correct counts two ways: exact integers on the grid, and evaluateModel on the grid. */
function plaintextCorrect(validation: Dataset, params: Float64Array) {
  const kind = specFor(validation).kind as 'softmax' | 'logistic'
  const exact = fixedPointCorrect(kind, params, validation.x, validation.y, validation.d, F)
  const evaluated = evaluateModel(
    createModel(specFor(validation)),
    paramsOnGrid(params, F),
    onGrid(validation, F),
  ).accuracy!
  return { exact, evaluated: Math.round(evaluated * validation.n) }
}

/** Models that exercise good, bad and tied predictions. */
function candidates(train: Dataset): { clientId: string; params: Float64Array }[] {
  const good = trained(train, 2, 1)
  const weak = trained(head(train, 60), 1, 2)
  const zero = new Float64Array(good.length) // every logit ties: the lowest class wins
  const out = [
    { clientId: 'good', params: good },
    { clientId: 'weak', params: weak },
    { clientId: 'zero', params: zero },
  ]
  if (train.numClasses > 2) {
    // Classes 3 and 5 get identical weights and bias: ties between them on every row,
    // so the tie rule decides for true class 5 (loses to 3) and true class 3 (wins).
    const k = train.numClasses
    const twin = Float64Array.from(good)
    for (let j = 0; j <= train.d; j++) twin[j * k + 5] = twin[j * k + 3]!
    out.push({ clientId: 'twin-classes', params: twin })
  }
  return out
}

async function checkExact(name: string, visibility: 'public' | 'secret', rows: number) {
  const { train, test } = await dataset(name)
  const validation = head(test, rows)
  const models = candidates(train).map((m) => ({ ...m, numExamples: 100 }))
  const result = await verify(validation, models, {
    validationVisibility: visibility,
    threshold: 0,
  })
  assert.equal(result.models.length, models.length)
  for (const [i, m] of models.entries()) {
    const verdict = result.models[i]!
    const reference = plaintextCorrect(validation, m.params)
    assert.equal(verdict.clientId, m.clientId)
    assert.equal(verdict.samples, validation.n)
    assert.equal(verdict.correct, reference.exact, `${m.clientId}: secure vs exact fixed point`)
    assert.equal(verdict.correct, reference.evaluated, `${m.clientId}: secure vs evaluateModel`)
    assert.equal(verdict.accuracy, reference.exact / validation.n)
  }
  return { result, models, validation }
}

describe('secure accuracy equals plaintext accuracy exactly (on the fixed-point grid)', () => {
  it('softmax on digits, public validation data', async () => {
    const { result, validation } = await checkExact('digits', 'public', 359)
    const byId = new Map(result.models.map((m) => [m.clientId, m]))
    // The all-zero model predicts class 0 for every row.
    const zeros = Array.from(validation.y).filter((y) => y === 0).length
    assert.equal(byId.get('zero')!.correct, zeros)
    assert.ok(byId.get('good')!.accuracy > 0.8, 'the trained model is a meaningful case')
    assert.ok(byId.get('twin-classes')!.correct < byId.get('good')!.correct)
  })

  it('softmax on digits, secret-shared validation data (Beaver triples)', async () => {
    await checkExact('digits', 'secret', 150)
  })

  it('logistic on breast cancer, public validation data', async () => {
    const { result, validation } = await checkExact('breast-cancer', 'public', 113)
    // σ(0) = 0.5 ≥ 0.5: the all-zero logistic model predicts class 1 everywhere.
    const ones = Array.from(validation.y).filter((y) => y === 1).length
    assert.equal(result.models.find((m) => m.clientId === 'zero')!.correct, ones)
  })

  it('logistic on breast cancer, secret-shared validation data', async () => {
    await checkExact('breast-cancer', 'secret', 113)
  })

  it('softmax on an MNIST subset, public validation data', async () => {
    const { train, test } = await dataset('mnist')
    const validation = head(test, 200)
    const params = trained(head(train, 2000), 1, 3)
    const result = await verify(validation, [{ clientId: 'mnist', params, numExamples: 2000 }], {
      threshold: 0,
    })
    const reference = plaintextCorrect(validation, params)
    assert.equal(result.models[0]!.correct, reference.exact)
    assert.equal(result.models[0]!.correct, reference.evaluated)
    assert.ok(result.models[0]!.accuracy > 0.6)
  })
})
