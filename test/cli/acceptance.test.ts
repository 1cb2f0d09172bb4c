import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { lastJsonLine, runCli, tempDir } from '../helpers/runCli.ts'

type Summary = {
  final: { accuracy: number; f1: number }
  history: { test: { accuracy: number } }[]
}

function simulate(args: string[]): Summary {
  const r = runCli(['simulate', ...args, '--json', '--quiet', '--out', tempDir()])
  assert.equal(r.status, 0, r.stderr)
  return lastJsonLine(r.stdout) as Summary
}

// The accuracy bars of the foundation issue that are cheap enough to check on every run.
describe('accuracy on real data', () => {
  it('Adult, logistic regression: FedAvg over 10 IID data owners reaches 85 % within 20 rounds', () => {
    const s = simulate([
      '--dataset',
      'adult',
      '--model',
      'logistic',
      '--clients',
      '10',
      '--rounds',
      '20',
      '--batch-size',
      '64',
    ])
    assert.ok(s.final.accuracy >= 0.85, `accuracy ${s.final.accuracy}`)
  })

  it('Adult, logistic regression: centralised training (one data owner with all rows) reaches 85 %', () => {
    const s = simulate([
      '--dataset',
      'adult',
      '--model',
      'logistic',
      '--clients',
      '1',
      '--rounds',
      '20',
      '--batch-size',
      '256',
      '--lr',
      '0.01',
    ])
    assert.ok(s.final.accuracy >= 0.85, `accuracy ${s.final.accuracy}`)
  })

  it('MNIST (14×14) under Dirichlet α = 0.5 label skew: FedAvg still converges', () => {
    const s = simulate([
      '--dataset',
      'mnist:downsample=14',
      '--model',
      'softmax',
      '--clients',
      '10',
      '--partition',
      'dirichlet:0.5',
      '--rounds',
      '5',
      '--lr',
      '0.02',
    ])
    const accuracies = s.history.map((h) => h.test.accuracy)
    assert.ok(s.final.accuracy > 0.85, `accuracy ${s.final.accuracy}`)
    assert.ok(accuracies.at(-1)! > accuracies[0]! - 0.01, `no divergence: ${accuracies.join(', ')}`)
  })
})
