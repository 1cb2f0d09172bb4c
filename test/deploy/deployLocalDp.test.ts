import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { loadDataset } from '../../src/adapters/data/index.ts'
import { createCsprng } from '../../src/adapters/random/index.ts'
import { createNodeSecaggCrypto } from '../../src/adapters/secagg-crypto/index.ts'
import { createMemoryTransport } from '../../src/adapters/transport/index.ts'
import { loadJob } from '../../src/cli/deploy/loadJob.ts'
import { createProtection } from '../../src/cli/privacy/createProtection.ts'
import { parseDatasetSpec } from '../../src/core/data/parseDatasetSpec.ts'
import { runSimulation } from '../../src/runtime/runSimulation.ts'
import { lastJsonLine, runCliAsync } from '../helpers/runCli.ts'

/** What `msfl simulate` reaches and spends for a job file (same seed, same partition). */
async function simulatedDp(jobFile: string) {
  const job = loadJob(jobFile)
  const result = await runSimulation({
    runId: job.runId,
    plan: job.plan,
    data: await loadDataset(parseDatasetSpec(job.config.dataset), job.config.seed),
    createTransport: (handlers) => createMemoryTransport({ handlers }),
    secaggCrypto: createNodeSecaggCrypto(),
    noiseRng: createCsprng,
    createProtection,
    emit: () => {},
    now: () => 0,
  })
  return { accuracy: result.final.accuracy!, privacy: result.privacy! }
}

interface DpSummary {
  final: { accuracy: number }
  exitCodes: Record<string, number>
  runDir: string
  privacy: {
    level: string
    epsilon: number
    delta: number
    epsilon_per_round: Record<string, number>
    owners?: Record<string, { epsilon: number }>
    min_contributors?: number
  }
}

const deployDp = async (dir: string, privacy: string) => {
  const run = await runCliAsync([
    'deploy',
    'local',
    ...['--owners', '3', '--rounds', '2', '--seed', '7'],
    ...['--privacy', privacy, '--dir', dir, '--json'],
  ])
  assert.equal(run.status, 0, run.stderr)
  return { run, summary: lastJsonLine(run.stdout) as unknown as DpSummary }
}

describe('msfl deploy local with privacy: dp (each owner process draws its own noise)', () => {
  let root: string
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'msfl-deploy-dp-'))
  })
  after(async () => {
    await rm(root, { recursive: true, force: true })
  })

  it('sample level with secagg: each owner reports its ε, which equals msfl simulate; an owner with another job file is refused', {
    timeout: 300_000,
  }, async () => {
    const dir = join(root, 'sample')
    const { run, summary } = await deployDp(dir, 'dp:epsilon=3+secagg')
    assert.ok(Object.values(summary.exitCodes).every((code) => code === 0))
    const expected = await simulatedDp(join(dir, 'job.yaml'))
    assert.equal(summary.privacy.level, 'sample')
    assert.equal(summary.privacy.epsilon, expected.privacy.epsilon)
    assert.deepEqual(
      Object.values(summary.privacy.epsilon_per_round),
      Object.values(expected.privacy.epsilonPerRound!),
    )
    assert.deepEqual(Object.keys(summary.privacy.owners ?? {}).sort(), ['do-0', 'do-1', 'do-2'])
    // Fresh CSPRNG noise in both runs: the accuracies agree within noise, not bit for bit.
    assert.ok(
      Math.abs(summary.final.accuracy - expected.accuracy) < 0.1,
      `deployed ${summary.final.accuracy} vs simulated ${expected.accuracy}`,
    )
    const metrics = JSON.parse(readFileSync(join(summary.runDir, 'metrics.json'), 'utf8'))
    assert.equal(metrics.privacy.epsilon, summary.privacy.epsilon)
    // Each owner process kept its privacy ledger in its kit's state folder: its noisy
    // statistics and both rounds, written before they left, ending at the ε it reported.
    const { runId } = loadJob(join(dir, 'job.yaml'))
    for (const name of ['do-0', 'do-1', 'do-2']) {
      const ledger = readFileSync(
        join(dir, 'kits', name, 'state', runId, 'privacy-ledger.jsonl'),
        'utf8',
      )
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { kind: string; round?: number; epsilon?: number })
      assert.deepEqual(
        ledger.map((r) => r.kind + (r.round ?? '')),
        ['statistics', 'dp-sgd-round1', 'dp-sgd-round2'],
      )
      assert.equal(ledger.at(-1)!.epsilon, summary.privacy.owners![name]!.epsilon)
    }
    // The requestor is told the ε with the model it takes delivery of.
    assert.match(
      run.stderr,
      new RegExp(`\\[requestor\\] requestor: model received .*epsilon=${summary.privacy.epsilon}`),
    )
    // The same job with ten times the budget (less noise) is another job: do-0's kit pins
    // the SHA-256 of the one it was issued for, and the owner refuses before connecting.
    const looser = join(dir, 'looser.yaml')
    writeFileSync(
      looser,
      readFileSync(join(dir, 'job.yaml'), 'utf8').replace('dp:epsilon=3', 'dp:epsilon=30'),
    )
    const owner = await runCliAsync([
      'owner',
      ...['--kit', join(dir, 'kits', 'do-0'), '--job', looser],
      ...['--data', join(dir, 'data', 'do-0.csv')],
    ])
    assert.equal(owner.status, 2, owner.stderr)
    assert.match(owner.stderr, /is not the job this kit was issued for/)
  })

  it('client level, distributed noise with paillier (the key holder its own process): ε equals msfl simulate', {
    timeout: 300_000,
  }, async () => {
    const dir = join(root, 'client')
    const spec = 'dp:level=client,noise=distributed,epsilon=5,delta=1e-3,min=2+paillier:range=16'
    const { summary } = await deployDp(dir, spec)
    assert.deepEqual(Object.keys(summary.exitCodes).sort(), [
      'do-0',
      'do-1',
      'do-2',
      'key-holder',
      'provider',
      'requestor',
    ])
    assert.ok(Object.values(summary.exitCodes).every((code) => code === 0))
    const expected = await simulatedDp(join(dir, 'job.yaml'))
    assert.equal(summary.privacy.level, 'client')
    assert.equal(summary.privacy.min_contributors, 2)
    assert.equal(summary.privacy.epsilon, expected.privacy.epsilon)
    assert.deepEqual(
      Object.values(summary.privacy.epsilon_per_round),
      Object.values(expected.privacy.epsilonPerRound!),
    )
    const events = readFileSync(join(summary.runDir, 'events.jsonl'), 'utf8')
    assert.equal(events.split('\n').filter((l) => l.includes('"update-received"')).length, 6)
  })
})
