import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  accuracy,
  classificationMetrics,
  macroF1,
  macroPrecision,
  macroRecall,
  perClassMetrics,
} from '../../src/core/metrics/classificationMetrics.ts'
import { confusionMatrix } from '../../src/core/metrics/confusionMatrix.ts'
import { mae, rmse } from '../../src/core/metrics/regressionMetrics.ts'

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`)

describe('confusionMatrix', () => {
  it('counts [actual][predicted]', () => {
    const cm = confusionMatrix([0, 0, 1, 1, 2, 2, 2], [0, 1, 1, 1, 2, 0, 2], 3)
    assert.deepEqual(cm, [
      [1, 1, 0],
      [0, 2, 0],
      [1, 0, 2],
    ])
  })

  it('rejects out-of-range classes and length mismatches', () => {
    assert.throws(() => confusionMatrix([0, 3], [0, 1], 3), {
      code: 'DATA_INTEGRITY',
      message: /actual\[1\] = 3/,
    })
    assert.throws(() => confusionMatrix([0, 1], [0, 1.5], 3), { message: /predicted\[1\] = 1.5/ })
    assert.throws(() => confusionMatrix([0], [0, 1], 3), { code: 'DATA_INTEGRITY' })
  })
})

describe('classification metrics', () => {
  it('hand-computed example with a class that is never predicted', () => {
    // Class 2 occurs once but is never predicted: precision 0 (zero division), recall 0, F1 0.
    // Class 0: P = 1/1, R = 1/2, F1 = 2/3. Class 1: P = 2/4, R = 2/2, F1 = 2/3.
    const cm = confusionMatrix([0, 0, 1, 1, 2], [0, 1, 1, 1, 1], 3)
    close(accuracy(cm), 3 / 5)
    close(macroPrecision(cm), (1 + 0.5 + 0) / 3)
    close(macroRecall(cm), (0.5 + 1 + 0) / 3)
    close(macroF1(cm), (2 / 3 + 2 / 3 + 0) / 3)
    const perClass = perClassMetrics(cm)
    assert.deepEqual(
      perClass.map((m) => [m.support, m.predicted]),
      [
        [2, 1],
        [2, 4],
        [1, 0],
      ],
    )
  })

  it('leaves out classes that neither occur nor are predicted', () => {
    const three = confusionMatrix([0, 0, 1, 1, 2], [0, 1, 1, 1, 1], 3)
    const five = confusionMatrix([0, 0, 1, 1, 2], [0, 1, 1, 1, 1], 5)
    assert.deepEqual(
      { ...classificationMetrics(five), perClass: undefined },
      { ...classificationMetrics(three), perClass: undefined },
    )
  })

  it('counts a predicted class with no support as precision 0, recall 0', () => {
    // Class 1 has no rows but one prediction; class 0: P = 1/1, R = 1/2.
    const cm = confusionMatrix([0, 0], [0, 1], 2)
    close(macroPrecision(cm), 0.5)
    close(macroRecall(cm), 0.25)
    close(macroF1(cm), 2 / 3 / 2)
  })

  it('never produces NaN, even for an empty matrix', () => {
    const m = classificationMetrics(confusionMatrix([], [], 3))
    assert.deepEqual([m.accuracy, m.precision, m.recall, m.f1], [0, 0, 0, 0])
  })

  it('perfect predictions score 1 everywhere', () => {
    const m = classificationMetrics(confusionMatrix([0, 1, 2, 1], [0, 1, 2, 1], 3))
    assert.deepEqual([m.accuracy, m.precision, m.recall, m.f1], [1, 1, 1, 1])
  })
})

describe('regression metrics', () => {
  it('rmse and mae on a known example', () => {
    close(rmse([1, 2, 3], [1, 4, 1]), Math.sqrt(8 / 3))
    close(mae([1, 2, 3], [1, 4, 1]), 4 / 3)
    assert.throws(() => rmse([], []), { code: 'DATA_INTEGRITY' })
  })
})
