import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { resultTableRow } from '../../src/cli/experiment/resultTableRow.ts'
import { runCellInProcess } from '../../src/cli/experiment/runCellInProcess.ts'
import { expandMatrix, experimentMatrixSchema } from '../../src/runtime/config/experimentMatrix.ts'

// Tiny synthetic data (3 classes, 4 devices × 40 train / 25 test rows): cells run in well under a second.
const matrix = (variants?: unknown) =>
  experimentMatrixSchema.parse({
    name: 'fields',
    base: {
      dataset: 'synthetic:devices=4,classes=3,features=5,samples=40,testSamples=25',
      model: 'softmax',
      clients: 4,
      rounds: 3,
      partition: 'natural',
    },
    ...(variants ? { variants } : {}),
    aggregators: ['fedavg'],
    attacks: ['none'],
    malicious: [0.25],
    privacy: ['none', 'dp:epsilon=4,delta=1e-3'],
    seeds: [5],
  })

describe('experiment cell results', () => {
  it('carry precision, recall, AUC, the confusion matrix, ROC, class names and ε per round', async () => {
    const [plain, dp] = await Promise.all(expandMatrix(matrix()).map(runCellInProcess))
    assert.ok(plain && dp)
    assert.equal(plain.status, 'ok')
    assert.equal('variant' in plain, false, 'no variant field without variants')
    for (const key of ['accuracy', 'precision', 'recall', 'f1', 'auc'] as const) {
      const v: unknown = plain[key]
      assert.ok(typeof v === 'number' && v >= 0 && v <= 1, `${key} = ${v}`)
    }
    const cm = plain.confusionMatrix!
    assert.equal(cm.length, 3)
    assert.ok(cm.every((row) => row.length === 3))
    assert.equal(
      cm.flat().reduce((a, b) => a + b, 0),
      4 * 25,
      'every test row counted once',
    )
    const diagonal = cm.reduce((s, row, i) => s + row[i]!, 0)
    assert.ok(Math.abs(diagonal / 100 - plain.accuracy!) < 1e-12, 'matrix agrees with accuracy')
    assert.deepEqual(plain.classNames, ['class0', 'class1', 'class2'])
    const roc = plain.roc!
    assert.equal(roc.fpr.length, roc.tpr.length)
    assert.ok(roc.fpr.length >= 2)
    assert.deepEqual([roc.fpr[0], roc.tpr[0]], [0, 0])
    assert.deepEqual([roc.fpr.at(-1), roc.tpr.at(-1)], [1, 1])
    assert.deepEqual(plain.epsilonByRound, [])
    assert.equal(plain.epsilon, null)

    assert.equal(dp.status, 'ok')
    assert.equal(dp.epsilonByRound.length, 3)
    for (let i = 1; i < 3; i++)
      assert.ok(dp.epsilonByRound[i]! > dp.epsilonByRound[i - 1]!, 'ε grows with every round')
    assert.ok(Math.abs(dp.epsilonByRound.at(-1)! - dp.epsilon!) < 1e-9)
    assert.ok(dp.epsilon! <= 4)

    const row = resultTableRow(plain)
    for (const detail of [
      'confusionMatrix',
      'roc',
      'classNames',
      'epsilonByRound',
      'accuracyByRound',
    ])
      assert.equal(detail in row, false, `${detail} stays out of flat tables`)
    for (const scalar of ['precision', 'recall', 'auc', 'rmseByRound'])
      assert.equal(scalar in row, true, `${scalar} is in flat tables`)
  })

  it('name their variant, first in the row after the index', async () => {
    const cells = expandMatrix(
      matrix([
        { name: 'softmax', set: {} },
        {
          name: 'logistic',
          set: {
            model: 'logistic',
            dataset: 'synthetic:devices=4,classes=2,features=5,samples=40,testSamples=25',
          },
        },
      ]),
    ).filter((c) => c.privacy === 'none')
    const results = await Promise.all(cells.map(runCellInProcess))
    assert.deepEqual(
      results.map((r) => r.variant),
      ['softmax', 'logistic'],
    )
    assert.deepEqual(Object.keys(resultTableRow(results[0]!)).slice(0, 3), [
      'index',
      'variant',
      'aggregator',
    ])
    const logistic = results[1]!
    assert.equal(logistic.confusionMatrix!.length, 2)
    assert.deepEqual(logistic.classNames, ['class0', 'class1'])
  })
})
