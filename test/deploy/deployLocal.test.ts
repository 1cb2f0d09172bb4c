import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { launchLocalFederation } from '../../src/cli/deploy/launchLocalFederation.ts'
import { prepareLocalFederation } from '../../src/cli/deploy/prepareLocalFederation.ts'
import { cliArgv } from '../helpers/cli.ts'
import { canCreateNamespaces, createNamespaceLinks } from '../helpers/networkNamespaces.ts'
import { lastJsonLine, runCliAsync } from '../helpers/runCli.ts'
import { modelParams, simulated } from './simulatedModel.ts'

describe('every role its own OS process (gRPC, mutual TLS 1.3, real sockets)', () => {
  let root: string
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'msfl-deploy-test-'))
  })
  after(async () => {
    await rm(root, { recursive: true, force: true })
  })

  it('msfl deploy local: 1 provider, 5 owners reading their own CSV files, 1 requestor; the model equals the in-process run', {
    timeout: 300_000,
  }, async () => {
    const dir = join(root, 'loopback')
    const run = await runCliAsync([
      'deploy',
      'local',
      '--owners',
      '5',
      '--rounds',
      '2',
      '--seed',
      '11',
      '--dir',
      dir,
      '--json',
    ])
    assert.equal(run.status, 0, run.stderr)
    const summary = lastJsonLine(run.stdout) as {
      final: { accuracy: number }
      exitCodes: Record<string, number>
      model: string
      transport: { bytesReceived: number; wire: { bytesReceived: number } }
    }
    assert.ok(summary.final.accuracy > 0.8, `accuracy ${summary.final.accuracy}`)
    assert.deepEqual(Object.values(summary.exitCodes), [0, 0, 0, 0, 0, 0, 0])
    // Each owner read its own file: the log names it, and nothing else held its rows.
    for (let i = 0; i < 5; i++)
      assert.match(
        run.stderr,
        new RegExp(`\\[do-${i}\\] do-${i}: data checked rows=\\d+ .*data/do-${i}\\.csv`),
      )
    const expected = await simulated(join(dir, 'job.yaml'))
    assert.deepEqual(modelParams(summary.model), expected)
    // Every envelope crossed TLS: the wire carried more than the codec bytes.
    assert.ok(summary.transport.wire.bytesReceived > summary.transport.bytesReceived)
  })

  it('msfl deploy local --verify smpc: 3 verifier processes check every local model on shares; the model equals the in-process run', {
    timeout: 300_000,
  }, async () => {
    const dir = join(root, 'verify')
    const run = await runCliAsync([
      'deploy',
      'local',
      '--owners',
      '3',
      '--rounds',
      '2',
      '--seed',
      '5',
      '--verify',
      'smpc:samples=300',
      '--dir',
      dir,
      '--json',
    ])
    assert.equal(run.status, 0, run.stderr)
    const summary = lastJsonLine(run.stdout) as {
      final: { accuracy: number }
      exitCodes: Record<string, number>
      model: string
      runDir: string
    }
    assert.deepEqual(Object.keys(summary.exitCodes).sort(), [
      'do-0',
      'do-1',
      'do-2',
      'provider',
      'requestor',
      'verifier-1',
      'verifier-2',
      'verifier-3',
    ])
    assert.ok(Object.values(summary.exitCodes).every((code) => code === 0))
    // Each verifier joined with its own kit; the provider verified 3 models in each round.
    for (let i = 1; i <= 3; i++)
      assert.match(run.stderr, new RegExp(`\\[verifier-${i}\\] .*the run completed`))
    const events = readFileSync(join(summary.runDir, 'events.jsonl'), 'utf8')
    assert.equal(events.split('\n').filter((l) => l.includes('"model-verified"')).length, 6)
    const expected = await simulated(join(dir, 'job.yaml'))
    assert.deepEqual(modelParams(summary.model), expected)
  })

  it('msfl deploy local --privacy secagg: the provider gets only sums; the model equals the in-process run', {
    timeout: 300_000,
  }, async () => {
    const dir = join(root, 'secagg')
    const run = await runCliAsync([
      'deploy',
      'local',
      '--owners',
      '3',
      '--rounds',
      '2',
      '--seed',
      '8',
      '--privacy',
      'secagg',
      '--dir',
      dir,
      '--json',
    ])
    assert.equal(run.status, 0, run.stderr)
    const summary = lastJsonLine(run.stdout) as {
      exitCodes: Record<string, number>
      model: string
      runDir: string
    }
    assert.ok(Object.values(summary.exitCodes).every((code) => code === 0))
    const events = readFileSync(join(summary.runDir, 'events.jsonl'), 'utf8')
    // Each round's updates reached the provider as a secure-aggregation sum only.
    assert.equal(events.split('\n').filter((l) => l.includes('"update-received"')).length, 6)
    assert.ok(!events.includes('"update-rejected"'))
    const expected = await simulated(join(dir, 'job.yaml'))
    assert.deepEqual(modelParams(summary.model), expected)
  })

  for (const [privacy, exact] of [
    ['paillier', true],
    ['ckks', false],
  ] as const)
    it(`msfl deploy local --privacy ${privacy}: the key holder is its own process; the model ${exact ? 'equals' : 'is within CKKS error of'} the in-process run`, {
      timeout: 300_000,
    }, async () => {
      const dir = join(root, privacy)
      const run = await runCliAsync([
        'deploy',
        'local',
        '--owners',
        '3',
        '--rounds',
        '2',
        '--seed',
        '8',
        '--privacy',
        privacy,
        '--dir',
        dir,
        '--json',
      ])
      assert.equal(run.status, 0, run.stderr)
      const summary = lastJsonLine(run.stdout) as {
        exitCodes: Record<string, number>
        model: string
      }
      assert.deepEqual(Object.keys(summary.exitCodes).sort(), [
        'do-0',
        'do-1',
        'do-2',
        'key-holder',
        'provider',
        'requestor',
      ])
      assert.ok(Object.values(summary.exitCodes).every((code) => code === 0))
      // Each owner checked the key holder's signature before encrypting under its key.
      assert.match(run.stderr, /\[key-holder\] key-holder: keys generated scheme=/)
      const expected = await simulated(join(dir, 'job.yaml'))
      const params = modelParams(summary.model)
      if (exact) assert.deepEqual(params, expected)
      else
        assert.ok(
          params.every((v, j) => Math.abs(v - expected[j]!) < 1e-4),
          'within CKKS error of the in-process run',
        )
    })

  it('owners in their own network namespaces reach the provider across veth interfaces', {
    timeout: 300_000,
    skip: canCreateNamespaces() ? false : 'needs root and ip netns (CI runs as root)',
  }, async () => {
    const owners = 3
    const { links, remove } = createNamespaceLinks(owners + 1)
    try {
      const federation = await prepareLocalFederation({
        dir: join(root, 'namespaces'),
        owners,
        rounds: 2,
        dataset: 'adult',
        model: 'logistic',
        seed: 5,
        host: '127.0.0.1',
        extraHosts: links.map((l) => l.hostAddress),
      })
      const port = federation.endpoint.split(':').at(-1)
      const names = ['requestor', ...federation.owners.map((o) => o.name)]
      const linkOf = (name: string) => links[names.indexOf(name)]!
      const lines: string[] = []
      const outcome = await launchLocalFederation(federation, {
        cli: cliArgv(),
        write: (line) => lines.push(line),
        listen: `0.0.0.0:${port}`,
        wrap: (name) => ['ip', 'netns', 'exec', linkOf(name).name],
        endpointOf: (name) => `${linkOf(name).hostAddress}:${port}`,
        timeoutMs: 280_000,
      })
      assert.deepEqual(Object.values(outcome.exitCodes), [0, 0, 0, 0, 0], lines.join(''))
      // The provider saw each participant arrive from its namespace's address, not loopback.
      for (const name of names)
        assert.ok(
          lines.some(
            (l) =>
              l.startsWith('[provider]') &&
              l.includes(`"peer":"${name}"`) &&
              l.includes('connected'),
          ),
          `${name} connected`,
        )
      assert.deepEqual(modelParams(outcome.modelFile), await simulated(federation.job))
    } finally {
      remove()
    }
  })
})
