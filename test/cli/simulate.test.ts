import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { decodeModelFile } from '../../src/core/model/modelFile.ts'
import { lastJsonLine, runCli, tempDir } from '../helpers/runCli.ts'

const small = [
  '--dataset',
  'breast-cancer',
  '--model',
  'logistic',
  '--clients',
  '4',
  '--rounds',
  '3',
  '--lr',
  '0.05',
]

describe('msfl simulate', () => {
  it('--json ends stdout with one JSON summary and writes a complete run directory', () => {
    const out = tempDir()
    const r = runCli(['simulate', ...small, '--json', '--out', out])
    assert.equal(r.status, 0, r.stderr)
    const summary = lastJsonLine(r.stdout) as {
      runId: string
      config: { dataset: string; clients: number; rounds: number }
      final: {
        accuracy: number
        f1: number
        loss: number
        auc: number
        confusionMatrix: number[][]
      }
      history: { round: number; test: { accuracy: number } }[]
      runDir: string
    }
    assert.match(summary.runId, /^\d{8}-\d{6}-[0-9a-f]{6}$/)
    assert.equal(summary.config.dataset, 'breast-cancer')
    assert.equal(summary.config.clients, 4)
    for (const key of ['accuracy', 'f1', 'loss', 'auc'] as const)
      assert.equal(typeof summary.final[key], 'number')
    assert.ok(
      summary.final.accuracy > 0.85 && summary.final.accuracy <= 1,
      'accuracy is a fraction, not percent',
    )
    assert.deepEqual(
      summary.history.map((h) => h.round),
      [1, 2, 3],
    )

    const dir = join(out, summary.runId)
    assert.equal(summary.runDir, dir)
    assert.deepEqual(readdirSync(out), [summary.runId], 'only the completed run directory remains')
    for (const file of [
      'config.json',
      'metrics.json',
      'clients.json',
      'events.jsonl',
      'model.bin',
      'report.html',
    ])
      assert.ok(existsSync(join(dir, file)), `${file} written`)
    const model = decodeModelFile(readFileSync(join(dir, 'model.bin')))
    assert.equal(model.spec.kind, 'logistic')
    assert.equal(model.params.length, 31)
    const events = readFileSync(join(dir, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; testRows?: number })
    assert.equal(events[0]!.type, 'run-started')
    const testRows = events[0]!.testRows!
    assert.ok(Math.abs(testRows - 0.2 * 569) < 2, 'about 20 % of 569 rows held out')
    assert.equal(
      summary.final.confusionMatrix.flat().reduce((a, b) => a + b, 0),
      testRows,
    )
    assert.equal(events.at(-1)!.type, 'run-completed')
    assert.equal(events.filter((e) => e.type === 'round-completed').length, 3)
    const report = readFileSync(join(dir, 'report.html'), 'utf8')
    for (const chart of ['Accuracy per round', 'Loss per round', 'Confusion matrix', 'ROC curve'])
      assert.ok(report.includes(chart), chart)
  })

  it('reproduces identical metrics from the same config and seed, and different ones from another seed', () => {
    const out = tempDir()
    const metrics = (seed: string) => {
      const r = runCli(['simulate', ...small, '--seed', seed, '--json', '--quiet', '--out', out])
      assert.equal(r.status, 0, r.stderr)
      const s = lastJsonLine(r.stdout) as {
        final: unknown
        history: { test: unknown; trainLoss: number }[]
      }
      return { final: s.final, history: s.history.map((h) => [h.test, h.trainLoss]) }
    }
    const a = metrics('7')
    assert.deepEqual(metrics('7'), a)
    assert.notDeepEqual(metrics('8'), a)
  })

  it('reads a YAML config and lets flags override it', () => {
    const out = tempDir()
    const config = join(out, 'run.yaml')
    writeFileSync(
      config,
      'dataset: digits\nmodel: softmax\nclients: 5\nrounds: 4\npartition: dirichlet:0.5\ntraining:\n  learningRate: 0.05\n',
    )
    const r = runCli([
      'simulate',
      '--config',
      config,
      '--rounds',
      '2',
      '--json',
      '--quiet',
      '--out',
      out,
    ])
    assert.equal(r.status, 0, r.stderr)
    const s = lastJsonLine(r.stdout) as {
      config: { dataset: string; rounds: number; partition: string }
      history: unknown[]
    }
    assert.equal(s.config.dataset, 'digits')
    assert.equal(s.config.partition, 'dirichlet:0.5')
    assert.equal(s.history.length, 2)
  })
})
