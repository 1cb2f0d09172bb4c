import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { after, before, describe, it } from 'node:test'
import {
  type LocalFederation,
  prepareLocalFederation,
} from '../../src/cli/deploy/prepareLocalFederation.ts'
import { cliArgv } from '../helpers/cli.ts'
import { spawnOwner } from '../helpers/ownerProcess.ts'

const cli = cliArgv()

/**
 * Runs the prepared federation on the real `msfl server` (its run store), kills two of its four
 * owners after round 1 and starts them again once the run paused; returns the run's events.
 * Every process it starts is also in `started`; those still running at its end are killed.
 */
async function killTwoAndReturn(
  federation: LocalFederation,
  started: ChildProcess[],
  rounds: number,
): Promise<Record<string, unknown>[]> {
  const processes = new Map<string, ChildProcess>()
  const own = (name: string, child: ChildProcess) => {
    processes.set(name, child)
    started.push(child)
  }
  try {
    return await killTwoAndReturnWith(federation, own, processes, rounds)
  } finally {
    // A restarted owner may still be connecting when the run ends: only this run's processes.
    for (const child of processes.values()) killIfRunning(child)
  }
}

function killIfRunning(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
}

async function killTwoAndReturnWith(
  federation: LocalFederation,
  own: (name: string, child: ChildProcess) => void,
  processes: ReadonlyMap<string, ChildProcess>,
  rounds: number,
): Promise<Record<string, unknown>[]> {
  const startOwner = (index: number) => {
    const owner = federation.owners[index]!
    own(owner.name, spawnOwner(federation, owner))
  }
  const server = spawn(
    cli[0]!,
    [...cli.slice(1), 'server', '--kit', federation.providerKit, '--job', federation.job, '--json'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  own('provider', server)
  let stdout = ''
  server.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
  })
  const lines = createInterface({ input: server.stderr! })
  const log: string[] = []
  lines.on('line', (line) => log.push(line))
  const exited = new Promise<number | null>((resolve) => server.once('exit', resolve))
  // A milestone of the server's log; if the server ends first, the test fails with its log.
  const seen = (pattern: RegExp) =>
    Promise.race([
      new Promise<void>((resolve) => {
        const listener = (line: string) => {
          if (pattern.test(line)) {
            lines.off('line', listener)
            resolve()
          }
        }
        lines.on('line', listener)
      }),
      exited.then((code) => {
        throw new Error(
          `the server exited (${code}) before ${pattern}:\n${log.slice(-40).join('\n')}`,
        )
      }),
    ])
  const listening = seen(/"msg":"listening"/)
  const roundOne = seen(new RegExp(`^\\s*round 1/${rounds}`))
  const paused = seen(/too few owners connected/)
  for (const milestone of [listening, roundOne, paused]) milestone.catch(() => {})
  await listening
  if (federation.keyHolderKit) {
    const [node, ...prefix] = cli
    own(
      'key-holder',
      spawn(
        node!,
        [...prefix, 'key-holder', '--kit', federation.keyHolderKit, '--job', federation.job],
        { stdio: 'ignore' },
      ),
    )
  }
  for (let i = 0; i < 4; i++) startOwner(i)
  await roundOne
  // Both at once, so the run finds itself short between two rounds.
  await Promise.all(
    ['do-2', 'do-3'].map((name) => {
      const child = processes.get(name)!
      const gone = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGKILL')
      return gone
    }),
  )
  await paused
  startOwner(2)
  startOwner(3)
  assert.equal(await exited, 0, `the provider completed the run\n${log.slice(-40).join('\n')}`)
  const summary = JSON.parse(stdout.trim().split('\n').at(-1)!) as { runDir: string }
  return readFileSync(join(summary.runDir, 'events.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
}

/** One pause, one resume, and the restarted owners trained in the round that waited. */
function assertPausedAndResumed(events: readonly Record<string, unknown>[], rounds: number) {
  const pauses = events.filter((e) => e['type'] === 'run-paused')
  const resumes = events.filter((e) => e['type'] === 'run-resumed')
  assert.equal(pauses.length, 1)
  assert.equal(resumes.length, 1)
  assert.equal(pauses[0]!['needed'], 3)
  assert.equal(pauses[0]!['connected'], 2)
  assert.equal(resumes[0]!['round'], pauses[0]!['round'])
  assert.ok(Number(resumes[0]!['connected']) >= 3)
  // The round that waited opened once three were back; the restarted owners, given the
  // agreed scaling (and a protected job's terms) when they reconnected, trained in it (the
  // fourth if it was back in time).
  const completed = events.filter((e) => e['type'] === 'round-completed')
  const waited = completed.find(
    (e) => (e['record'] as { round: number }).round === pauses[0]!['round'],
  )!['record'] as { accepted: number }
  assert.ok(waited.accepted >= 3, `accepted ${waited.accepted}`)
  const returned = events.filter(
    (e) =>
      e['type'] === 'update-received' &&
      e['round'] === pauses[0]!['round'] &&
      (e['clientId'] === 'do-2' || e['clientId'] === 'do-3'),
  )
  assert.ok(returned.length >= 1, 'a restarted owner trained in the resumed round')
  assert.equal(completed.length, rounds)
}

/**
 * Issue 17, acceptance 3 (second half): with fewer owners connected than the job's minimum
 * the run pauses (PAUSED_INSUFFICIENT_CLIENTS, a `run-paused` event) and resumes by itself
 * when enough owners come back — the real `msfl server` on its run store, owner processes
 * killed with SIGKILL and started again with the same kit and data.
 */
describe('owners below the minimum pause the run; their return resumes it', () => {
  let root: string
  const started: ChildProcess[] = []
  const federationIn = (name: string, rounds: number, privacy?: string) =>
    prepareLocalFederation({
      dir: join(root, name),
      owners: 4,
      rounds,
      dataset: 'adult',
      model: 'logistic',
      seed: 23,
      host: '127.0.0.1',
      minClients: 3,
      ...(privacy ? { privacy } : {}),
    })

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'msfl-owners-return-'))
  })
  after(async () => {
    for (const child of started) killIfRunning(child)
    await rm(root, { recursive: true, force: true })
  })

  it('two of four owners killed after round 1: paused before the next round, resumed when they return, completed', {
    timeout: 300_000,
  }, async () => {
    // Rounds enough that both kills land before the last one closes, however fast rounds are.
    const federation = await federationIn('plain', 8)
    assertPausedAndResumed(await killTwoAndReturn(federation, started, 8), 8)
  })

  it('a protected job (ckks, the key holder its own process): the returning owners accept the same protection terms again and train', {
    timeout: 300_000,
  }, async () => {
    const federation = await federationIn('ckks', 6, 'ckks')
    assertPausedAndResumed(await killTwoAndReturn(federation, started, 6), 6)
  })
})
