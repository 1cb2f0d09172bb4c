import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  aucFromCurve,
  downsampleCurve,
  microAverageRocCurve,
  oneVsRestAuc,
  rocAuc,
  rocCurve,
} from '../../src/core/metrics/roc.ts'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'

const close = (a: number | undefined, b: number) =>
  assert.ok(a !== undefined && Math.abs(a - b) < 1e-12, `${a} vs ${b}`)

/** AUC as the probability that a random positive outscores a random negative, ties counting ½. */
function pairwiseAuc(scores: number[], positive: number[]): number {
  let sum = 0
  let pairs = 0
  for (let i = 0; i < scores.length; i++) {
    if (!positive[i]) continue
    for (let j = 0; j < scores.length; j++) {
      if (positive[j]) continue
      pairs++
      sum += scores[i]! > scores[j]! ? 1 : scores[i] === scores[j] ? 0.5 : 0
    }
  }
  return sum / pairs
}

describe('ROC and AUC', () => {
  it('constant scores give the diagonal and AUC 0.5 regardless of order', () => {
    const curve = rocCurve([0.3, 0.3, 0.3, 0.3, 0.3], [1, 0, 0, 1, 0])
    assert.deepEqual(curve, { fpr: [0, 1], tpr: [0, 1] })
    close(rocAuc([0.7, 0.7, 0.7], [0, 1, 0]), 0.5)
  })

  it('a perfect ranking gives AUC 1, a reversed one 0', () => {
    close(rocAuc([0.9, 0.8, 0.3, 0.1], [1, 1, 0, 0]), 1)
    close(rocAuc([0.1, 0.2, 0.3, 0.4], [1, 1, 0, 0]), 0)
  })

  it('known small examples', () => {
    // The scikit-learn documentation example.
    const curve = rocCurve([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])!
    assert.deepEqual(curve.fpr, [0, 0, 0.5, 0.5, 1])
    assert.deepEqual(curve.tpr, [0, 0.5, 0.5, 1, 1])
    close(aucFromCurve(curve), 0.75)
    // One tie between a positive and a negative: (1 + 1 + 1 + ½) / 4.
    close(rocAuc([0.5, 0.5, 0.2, 0.8], [true, false, false, true]), 0.875)
  })

  it('matches the pairwise definition on random tied scores', () => {
    const rng = createSeededRng(8)
    const scores = Array.from({ length: 300 }, () => rng.nextInt(12) / 11)
    const positive = Array.from({ length: 300 }, (_, i) =>
      rng.next() < 0.3 + scores[i]! / 3 ? 1 : 0,
    )
    close(rocAuc(scores, positive), pairwiseAuc(scores, positive))
  })

  it('is undefined with a single class or NaN scores', () => {
    assert.equal(rocCurve([0.1, 0.2], [1, 1]), undefined)
    assert.equal(rocAuc([0.1, 0.2], [0, 0]), undefined)
    assert.equal(rocAuc([Number.NaN, 0.2], [0, 1]), undefined)
  })

  it('one-vs-rest macro AUC on a hand-computed 3-class example', () => {
    // Class 0: positive 0.6 vs negatives 0.2, 0.1, 0.6 (tie) → 2.5/3.
    // Class 1: positive 0.5 beats 0.3, 0.2, 0.15 → 1.
    // Class 2: positives 0.7, 0.25 vs negatives 0.1, 0.3 → 3/4.
    const probs = [0.6, 0.3, 0.1, 0.2, 0.5, 0.3, 0.1, 0.2, 0.7, 0.6, 0.15, 0.25]
    close(oneVsRestAuc(probs, [0, 1, 2, 2], 3), (2.5 / 3 + 1 + 0.75) / 3)
  })

  it('one-vs-rest skips classes without positives', () => {
    const probs = [0.9, 0.1, 0, 0.2, 0.8, 0]
    close(oneVsRestAuc(probs, [0, 1], 3), 1)
    assert.equal(oneVsRestAuc([1, 0, 1, 0], [0, 0], 2), undefined)
  })

  it('micro-averaged curve pools every (row, class) decision', () => {
    const probs = [0.6, 0.3, 0.1, 0.2, 0.5, 0.3, 0.1, 0.2, 0.7, 0.6, 0.15, 0.25]
    const labels = [0, 1, 2, 2]
    const positive = probs.map((_, j) => (labels[Math.floor(j / 3)] === j % 3 ? 1 : 0))
    close(aucFromCurve(microAverageRocCurve(probs, labels, 3)!), pairwiseAuc(probs, positive))
  })

  it('downsampling keeps the end points and at most maxPoints', () => {
    const rng = createSeededRng(3)
    const scores = Array.from({ length: 5000 }, () => rng.next())
    const positive = scores.map((s) => (rng.next() < s ? 1 : 0))
    const curve = rocCurve(scores, positive)!
    assert.ok(curve.fpr.length > 1000)
    const small = downsampleCurve(curve, 200)
    assert.ok(small.fpr.length <= 200 && small.fpr.length > 150)
    assert.deepEqual([small.fpr[0], small.tpr[0]], [0, 0])
    assert.deepEqual([small.fpr.at(-1), small.tpr.at(-1)], [1, 1])
    for (let i = 1; i < small.fpr.length; i++) {
      assert.ok(small.fpr[i]! >= small.fpr[i - 1]! && small.tpr[i]! >= small.tpr[i - 1]!)
    }
    assert.ok(Math.abs(aucFromCurve(small) - aucFromCurve(curve)) < 0.005)
    assert.deepEqual(downsampleCurve({ fpr: [0, 1], tpr: [0, 1] }), { fpr: [0, 1], tpr: [0, 1] })
  })
})
