import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import {
  type LocalFederation,
  REQUESTOR_NAME,
} from '../../src/cli/deploy/prepareLocalFederation.ts'
import { cliArgv } from '../helpers/cli.ts'

/** The CLI under test (this checkout, compiled); never derived from this process's argv. */
export const CLI: readonly string[] = cliArgv()

/** One started CLI process: its output so far, its exit, and a wait for a log line. */
export interface CliProcess {
  readonly child: ChildProcess
  readonly lines: string[]
  readonly stdout: string[]
  readonly exited: Promise<number | null>
  /** Resolves with the first stderr line (past or future) that contains `text`. */
  waitFor(text: string, timeoutMs: number): Promise<string>
}

/**
 * Starts `msfl <args>` with extra environment; its lines are kept (and prefixed with `name`),
 * and each stderr line is also shown to `onLine` (e.g. an operator funding logged accounts).
 */
export function startCli(
  name: string,
  args: readonly string[],
  env: Record<string, string> = {},
  onLine?: (line: string) => void,
): CliProcess {
  const [node, ...prefix] = CLI
  const child = spawn(node!, [...prefix, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  })
  const lines: string[] = []
  const stdout: string[] = []
  const waiters: { text: string; resolve: (line: string) => void }[] = []
  createInterface({ input: child.stderr! }).on('line', (line) => {
    lines.push(`[${name}] ${line}`)
    onLine?.(line)
    for (const w of waiters.splice(0)) {
      if (line.includes(w.text)) w.resolve(line)
      else waiters.push(w)
    }
  })
  createInterface({ input: child.stdout! }).on('line', (line) => stdout.push(line))
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code))
    child.once('error', () => resolve(null))
  })
  return {
    child,
    lines,
    stdout,
    exited,
    waitFor(text, timeoutMs) {
      const seen = lines.find((l) => l.includes(text))
      if (seen) return Promise.resolve(seen)
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${name}: no "${text}" within ${timeoutMs} ms`)),
          timeoutMs,
        )
        waiters.push({
          text,
          resolve: (line) => {
            clearTimeout(timer)
            resolve(line)
          },
        })
        void exited.then((code) => {
          clearTimeout(timer)
          reject(new Error(`${name} exited (${code}) before "${text}"\n${lines.join('\n')}`))
        })
      })
    },
  }
}

/** Starts the provider of a prepared federation on the kits' endpoint, on `store`. */
export function startProvider(
  federation: LocalFederation,
  store: string,
  env: Record<string, string> = {},
): CliProcess {
  return startCli(
    'provider',
    [
      'server',
      ...['--kit', federation.providerKit, '--job', federation.job],
      ...['--requestor', REQUESTOR_NAME, '--store', store, '--json', '--quiet'],
    ],
    env,
  )
}

/** Starts the requestor, every owner and, for ckks or paillier, the key holder of a prepared federation. */
export function startParticipants(federation: LocalFederation): CliProcess[] {
  const keyHolder = federation.keyHolderKit
    ? [
        startCli('key-holder', [
          ...['key-holder', '--kit', federation.keyHolderKit, '--job', federation.job],
        ]),
      ]
    : []
  return [
    ...keyHolder,
    startCli(REQUESTOR_NAME, [
      'requestor',
      ...['--kit', federation.requestorKit, '--job', federation.job],
      ...['--out', `${federation.runs}/model.requested.bin`],
    ]),
    ...federation.owners.map((o) =>
      startCli(o.name, ['owner', '--kit', o.kit, '--job', federation.job, '--data', o.data]),
    ),
  ]
}

/** SIGKILL by pid, only a process this test started and that is still running. */
export function killHard(p: CliProcess): Promise<number | null> {
  if (p.child.exitCode === null && p.child.pid !== undefined) p.child.kill('SIGKILL')
  return p.exited
}

/**
 * The processes of an MS-FL federation on a shared chain (each party funded once its process
 * logs its ledger account): the provider on `store`, started as often as a test restarts it,
 * and the requestor and the owners, started once. Every process started is in `processes`.
 */
export function msflParties(
  federation: LocalFederation,
  store: string,
  chain: { readonly ledger: string; fundFrom(line: string): void },
) {
  const ledger = ['--ledger', chain.ledger]
  const fund = (line: string) => chain.fundFrom(line)
  const processes: CliProcess[] = []
  const started = (p: CliProcess) => {
    processes.push(p)
    return p
  }
  return {
    processes,
    provider: (env: Record<string, string>) =>
      started(
        startCli(
          'provider',
          [
            ...['server', '--kit', federation.providerKit, '--job', federation.job],
            ...['--requestor', REQUESTOR_NAME, '--store', store, '--json', '--quiet', ...ledger],
          ],
          env,
          fund,
        ),
      ),
    participants: () => [
      started(
        startCli(
          REQUESTOR_NAME,
          [
            ...['requestor', '--kit', federation.requestorKit, '--job', federation.job],
            ...['--out', `${federation.runs}/model.requested.bin`, ...ledger],
          ],
          {},
          fund,
        ),
      ),
      ...federation.owners.map((o) =>
        started(
          startCli(
            o.name,
            ['owner', '--kit', o.kit, '--job', federation.job, '--data', o.data, ...ledger],
            {},
            fund,
          ),
        ),
      ),
    ],
    logs: () => processes.flatMap((c) => c.lines).join('\n'),
    killAll: async () => {
      for (const c of processes) await killHard(c)
    },
  }
}

/**
 * A FedAvg federation whose provider is killed -9 twice, at the hold points `inTraining` and
 * `inAggregation` (MSFL_HOLD_AT), and restarted on the same store each time; the participants
 * are never restarted. `look` reads the store while the provider is dead, and once it is done.
 */
export async function providerKilledTwice<S>(
  federation: LocalFederation,
  store: string,
  holds: { readonly inTraining: string; readonly inAggregation: string },
  look: () => Promise<S>,
) {
  const processes: CliProcess[] = []
  const started = (p: CliProcess) => {
    processes.push(p)
    return p
  }
  try {
    let provider = started(startProvider(federation, store, { MSFL_HOLD_AT: holds.inTraining }))
    await provider.waitFor('"msg":"listening"', 60_000)
    const participants = startParticipants(federation).map(started)
    await provider.waitFor('"msg":"held"', 240_000)
    if ((await killHard(provider)) !== null) throw new Error('the provider did not die of SIGKILL')
    const inTraining = await look()

    provider = started(startProvider(federation, store, { MSFL_HOLD_AT: holds.inAggregation }))
    await provider.waitFor('"msg":"resuming"', 120_000)
    await provider.waitFor('"msg":"held"', 240_000)
    if ((await killHard(provider)) !== null) throw new Error('the provider did not die of SIGKILL')
    const inAggregation = await look()

    provider = started(startProvider(federation, store))
    const resumed = await provider.waitFor('"msg":"resuming"', 120_000)
    const providerExit = await provider.exited
    const participantExits = await Promise.all(participants.map((p) => p.exited))
    return {
      inTraining,
      inAggregation,
      resumed,
      providerExit,
      participantExits,
      /** The last provider's `--json` summary line. */
      summary: provider.stdout.at(-1) ?? '{}',
      finished: await look(),
      logs: processes.flatMap((p) => p.lines).join('\n'),
    }
  } finally {
    for (const p of processes) await killHard(p)
  }
}
