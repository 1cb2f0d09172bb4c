import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { renderExperimentReport } from '../../src/adapters/report/index.ts'
import type { CellResult } from '../../src/core/experiment/cellResult.ts'

let nextIndex = 0
function cell(over: Partial<CellResult>): CellResult {
  return {
    index: nextIndex++,
    aggregator: 'fedavg',
    privacy: 'none',
    clients: 20,
    attack: 'none',
    malicious: 0,
    f: 0,
    seed: 42,
    status: 'ok',
    accuracy: 0.9,
    precision: 0.8,
    recall: 0.7,
    f1: 0.75,
    auc: 0.95,
    loss: 0.3,
    attackSuccessRate: null,
    flippedClassRecall: null,
    selectionShareHonest: null,
    selectionShareMalicious: null,
    epsilon: null,
    epsilonByRound: [],
    rmse: null,
    rmseByRound: [],
    accuracyByRound: [0.5, 0.7, 0.9],
    msPerRound: 10,
    bytesPerRound: 8000,
    confusionMatrix: [
      [40, 10],
      [5, 45],
    ],
    classNames: ['normal', 'attack'],
    roc: { fpr: [0, 0.1, 1], tpr: [0, 0.8, 1] },
    detectionPrecision: null,
    detectionRecall: null,
    detectionFalsePositiveRate: null,
    rollbacks: null,
    blocks: null,
    durationMs: 100,
    ...over,
  }
}

const report = (results: CellResult[]) =>
  renderExperimentReport({ name: 't', matrix: {}, results, environment: {} })

// The text of the table row whose header cell is `label`.
function tableRow(html: string, label: string): string {
  const start = html.indexOf(`<th>${label}</th>`)
  assert.ok(start >= 0, `row ${label}`)
  return html.slice(start, html.indexOf('</tr>', start))
}

describe('experiment report', () => {
  it('per variant: the model table, overhead of Paillier, convergence, confusion matrix and ROC', () => {
    const html = report([
      cell({ variant: 'NSL-KDD binary, logistic' }),
      cell({
        variant: 'NSL-KDD binary, logistic',
        privacy: 'paillier',
        msPerRound: 250,
        bytesPerRound: 12_000,
        accuracy: 0.9,
      }),
      cell({
        variant: 'IoT <synthetic>',
        accuracy: 0.72,
        precision: 0.71,
        recall: 0.7,
        f1: 0.705,
        auc: 0.93,
        confusionMatrix: [
          [8, 1, 1],
          [1, 8, 1],
          [2, 0, 8],
        ],
        classNames: ['class0', 'class1', 'class2'],
      }),
    ])
    assert.ok(html.includes('Clean runs (no attacker): final model per variant'))
    assert.ok(
      html.includes(
        '<th>variant</th><th>defence</th><th>accuracy %</th><th>precision %</th><th>recall %</th><th>F1 %</th><th>AUC</th><th>ms / round</th><th>kB / round</th>',
      ),
    )
    assert.ok(html.includes('<th rowspan="2">NSL-KDD binary, logistic</th><th>fedavg</th>'))
    assert.ok(html.includes('>IoT &#60;synthetic&#62;</th>'), 'variant names are escaped')
    assert.match(
      tableRow(html, 'fedavg + paillier'),
      /<td>90\.00<\/td><td>80\.00<\/td><td>70\.00<\/td><td>75\.00<\/td><td>0\.9500<\/td><td>250<\/td><td>12\.0<\/td>/,
    )
    // Overhead: plain against Paillier of the same variant, with ratios.
    assert.ok(html.includes('Protection overhead (clean runs)'))
    assert.ok(
      html.includes(
        '<td>10</td><td>250</td><td>25.0×</td><td>8.0</td><td>12.0</td><td>1.5×</td><td>+0.00</td>',
      ),
    )
    // Convergence per variant, a heat map for plain and Paillier, a ROC chart per variant.
    assert.ok(html.includes('NSL-KDD binary, logistic: test accuracy per round'))
    assert.ok(html.includes('IoT &#60;synthetic&#62;: test accuracy per round'))
    assert.ok(html.includes('aria-label="fedavg: confusion matrix"'))
    assert.ok(html.includes('aria-label="fedavg + paillier: confusion matrix"'))
    assert.equal(
      html.split('aria-label="ROC"').length - 1,
      1,
      'binary ROC for the logistic variant',
    )
    assert.ok(html.includes('aria-label="ROC (micro-averaged over classes)"'))
    assert.ok(html.includes('fedavg (macro AUC 0.930)'))
    assert.ok(html.includes('fedavg (AUC 0.950)'))
    assert.ok(html.includes('true class0, predicted class2: 1'))
    assert.equal(html.includes('ε per round'), false, 'no ε chart without DP')
  })

  it('draws ε per round when a run used DP, and no variant column without variants', () => {
    const html = report([
      cell({}),
      cell({
        privacy: 'dp:epsilon=3,delta=1e-5',
        epsilon: 3,
        epsilonByRound: [1.2, 2.1, 3],
      }),
      cell({ seed: 7 }),
    ])
    assert.ok(html.includes('<h2>Clean runs (no attacker)</h2>'))
    assert.equal(html.includes('<th>variant</th>'), false)
    assert.ok(html.includes('<th>ε</th>'))
    assert.ok(html.includes('aria-label="ε per round (cumulative)"'))
    assert.ok(html.includes('fedavg + dp:epsilon=3,delta=1e-5</text>'), 'legend names the DP run')
    assert.ok(html.includes('clean runs: test accuracy per round'))
  })

  it('keeps regression reports to RMSE: no model section, the RMSE curve', () => {
    const html = report([
      cell({
        accuracy: null,
        precision: null,
        recall: null,
        f1: null,
        auc: null,
        rmse: 0.1,
        rmseByRound: [0.5, 0.2, 0.1],
        accuracyByRound: [],
        confusionMatrix: null,
        classNames: null,
        roc: null,
      }),
    ])
    assert.ok(html.includes('<th>RMSE</th>') && html.includes('clean runs: test RMSE per round'))
    assert.equal(html.includes('Final models'), false)
    assert.equal(html.includes('Protection overhead'), false)
  })
})

describe('experiment report: detection', () => {
  it('tables ADRM precision, recall and FPR per attack and defence, only when detection ran', () => {
    const html = report([
      cell({ attack: 'gaussian', f: 3, malicious: 0.3, variant: 'fedavg' }),
      cell({
        attack: 'gaussian',
        f: 3,
        malicious: 0.3,
        variant: 'fedavg + adrm',
        detectionPrecision: 1,
        detectionRecall: 0.9375,
        detectionFalsePositiveRate: 0.0125,
        rollbacks: 0,
        blocks: 6,
      }),
    ])
    assert.match(html, /Detection \(ADRM\) against the known attackers/)
    const row = html.slice(html.indexOf('<th>fedavg + adrm · fedavg</th>'))
    assert.match(
      row,
      /^<th>fedavg \+ adrm · fedavg<\/th><td>3<\/td><td>100\.00<\/td><td>93\.75<\/td><td>1\.25<\/td>/,
    )
    assert.doesNotMatch(
      html,
      /<th>gaussian<\/th><th>fedavg · fedavg<\/th>/,
      'no row without detection',
    )
    assert.doesNotMatch(report([cell({})]), /Detection \(ADRM\)/)
  })
})
