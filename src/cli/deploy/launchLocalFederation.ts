import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { MsflError } from '../../core/errors/msflError.ts'
import { KEY_HOLDER_ID } from '../../core/privacy/keyHolderMessages.ts'
import { type LocalChain, openLocalChain } from './localChain.ts'
import { type LocalFederation, REQUESTOR_NAME } from './prepareLocalFederation.ts'

/** How the processes of a local federation behave and where their output goes. */
export interface LaunchOptions {
  /** The argv that starts the msfl CLI (e.g. `thisCli()`); each role appends its command. */
  readonly cli: readonly string[]
  /** Each process's log lines, prefixed with its name. */
  readonly write: (line: string) => void
  /** Wraps each participant's command, e.g. `ip netns exec <ns>` (default: none). */
  readonly wrap?: (name: string) => readonly string[]
  /** Endpoint each participant dials (default: the kits' endpoint). */
  readonly endpointOf?: (name: string) => string | undefined
  /** Where the provider listens, `host:port` (default: the kits' endpoint). */
  readonly listen?: string
  /** The longest the whole run may take, in ms (default one hour). */
  readonly timeoutMs?: number
  /**
   * An MS-FL job's chain, `rpc:<url>`, given to every process as `--ledger` (default: an
   * anvil started for the run and stopped after it). Each party's account is funded on it.
   */
  readonly ledger?: string
  /**
   * Stops the run: every process started is killed and the anvil stopped, and the launch
   * rejects (the CLI aborts it on SIGTERM and SIGINT, so a stopped `deploy local` leaves
   * no process behind).
   */
  readonly signal?: AbortSignal
}

/** What the provider printed as its JSON summary, and every process's exit code. */
export interface LaunchOutcome {
  readonly summary: Record<string, unknown>
  readonly exitCodes: Readonly<Record<string, number | null>>
  readonly modelFile: string
}

function deferred(): { promise: Promise<void>; resolve(): void } {
  let resolve = () => {}
  const promise = new Promise<void>((r) => {
    resolve = r
  })
  return { promise, resolve }
}

/**
 * The argv that runs the msfl CLI this process runs (compiled, or TypeScript through tsx):
 * only valid in the CLI's own process, whose `argv[1]` is its entry point.
 */
export function thisCli(): string[] {
  return [process.execPath, ...process.execArgv, process.argv[1]!]
}

/**
 * Starts every role of a prepared local federation as its own OS process — the provider
 * first, then the requestor, each owner and each verifier node — streams their logs, and waits for the
 * provider's summary. Each child is killed (by its pid, only these) if the run fails or
 * exceeds the timeout, so nothing is left behind.
 */
export async function launchLocalFederation(
  federation: LocalFederation,
  options: LaunchOptions,
): Promise<LaunchOutcome> {
  const chain = federation.chain ? await openLocalChain(options.ledger, options.write) : undefined
  try {
    return await launchProcesses(federation, options, chain)
  } finally {
    await chain?.stop()
  }
}

/**
 * Settles once the requestor or the key holder exits with an error before the provider has
 * exited (never otherwise): the run cannot go on without either, and the provider would
 * wait for it until its --wait. Owners may drop out (the rounds go on without them).
 */
function essentialFailure(
  exits: ReadonlyMap<string, Promise<number | null>>,
  lastLines: ReadonlyMap<string, string>,
): Promise<{ readonly error: MsflError }> {
  return new Promise((resolve) => {
    for (const name of [REQUESTOR_NAME, KEY_HOLDER_ID])
      void exits.get(name)?.then((code) => {
        if (code === 0) return
        const last = lastLines.get(name)
        resolve({
          error: new MsflError(
            'PROTOCOL',
            `deploy local: the ${name} exited with ${code === null ? 'a signal' : `code ${code}`} before the run ended${last ? `: ${last}` : ''}`,
          ),
        })
      })
  })
}

/** Starts the requestor, each owner, the key holder and each verifier node of `federation`. */
function startParticipants(
  federation: LocalFederation,
  start: (name: string, args: readonly string[], participant: boolean) => unknown,
  ledger: readonly string[],
  modelFile: string,
): void {
  start(
    REQUESTOR_NAME,
    [
      ...['requestor', '--kit', federation.requestorKit, '--job', federation.job],
      ...['--out', modelFile, ...ledger],
    ],
    true,
  )
  for (const owner of federation.owners)
    start(
      owner.name,
      ['owner', '--kit', owner.kit, '--job', federation.job, '--data', owner.data, ...ledger],
      true,
    )
  if (federation.keyHolderKit)
    start(
      KEY_HOLDER_ID,
      ['key-holder', '--kit', federation.keyHolderKit, '--job', federation.job],
      true,
    )
  for (const verifier of federation.verifiers)
    start(verifier.name, ['verifier', '--kit', verifier.kit, '--job', federation.job], true)
}

/** Resolves once `signal` aborts (never without one). */
function whenStopped(signal: AbortSignal | undefined): Promise<'stopped'> {
  return new Promise((resolve) => {
    if (signal?.aborted) resolve('stopped')
    signal?.addEventListener('abort', () => resolve('stopped'), { once: true })
  })
}

function stoppedError(signal: AbortSignal | undefined): MsflError {
  return new MsflError(
    'TRANSPORT',
    `deploy local: stopped (${String(signal?.reason ?? 'aborted')})`,
  )
}

/** The processes of launchLocalFederation; an MS-FL job's parties reach `chain`. */
async function launchProcesses(
  federation: LocalFederation,
  options: LaunchOptions,
  chain: LocalChain | undefined,
): Promise<LaunchOutcome> {
  const ledger = chain ? ['--ledger', chain.ledger] : []
  const [node, ...prefix] = options.cli
  const children = new Map<string, ChildProcess>()
  const listening = deferred()
  const exits = new Map<string, Promise<number | null>>()
  const lastLines = new Map<string, string>()
  const modelFile = `${federation.runs}/model.requested.bin`
  const start = (name: string, args: readonly string[], participant: boolean) => {
    const wrap = participant ? (options.wrap?.(name) ?? []) : []
    const endpoint = participant ? options.endpointOf?.(name) : undefined
    const argv = [...prefix, ...args, ...(endpoint ? ['--endpoint', endpoint] : [])]
    const child =
      wrap.length > 0
        ? spawn(wrap[0]!, [...wrap.slice(1), node!, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] })
        : spawn(node!, argv, { stdio: ['ignore', 'pipe', 'pipe'] })
    children.set(name, child)
    exits.set(
      name,
      new Promise((resolve) => {
        child.once('exit', (code) => resolve(code))
        child.once('error', () => resolve(null))
      }),
    )
    createInterface({ input: child.stderr! }).on('line', (line) => {
      if (name === 'provider' && line.includes('"msg":"listening"')) listening.resolve()
      chain?.fundFrom(line)
      lastLines.set(name, line)
      options.write(`[${name}] ${line}\n`)
    })
    return child
  }
  const stdout: string[] = []
  const stopped = whenStopped(options.signal)
  const provider = start(
    'provider',
    [
      ...['server', '--kit', federation.providerKit, '--job', federation.job],
      ...['--requestor', REQUESTOR_NAME, '--json', '--quiet', ...ledger],
      ...(options.listen ? ['--listen', options.listen] : []),
    ],
    false,
  )
  createInterface({ input: provider.stdout! }).on('line', (line) => stdout.push(line))
  // The participants would reconnect until the provider listens; starting them after it
  // keeps their logs free of refused connections.
  const started = await Promise.race([
    listening.promise.then(() => true),
    exits.get('provider')!.then(() => false),
    stopped,
  ])
  if (started === 'stopped') {
    provider.kill('SIGTERM')
    throw stoppedError(options.signal)
  }
  if (!started) {
    throw new MsflError('CONFIG_INVALID', 'deploy local: the provider exited before it listened')
  }
  startParticipants(federation, start, [...ledger], modelFile)

  const killAll = () => {
    for (const child of children.values())
      if (child.exitCode === null && child.pid !== undefined) child.kill('SIGTERM')
  }
  let timer: ReturnType<typeof setTimeout> | undefined
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), options.timeoutMs ?? 3_600_000)
  })
  try {
    const providerExit = await Promise.race([
      exits.get('provider')!,
      timedOut,
      stopped,
      essentialFailure(exits, lastLines),
    ])
    if (typeof providerExit === 'object' && providerExit !== null) throw providerExit.error
    if (providerExit === 'timeout')
      throw new MsflError('TRANSPORT', 'deploy local: the run did not finish before the timeout')
    if (providerExit === 'stopped') throw stoppedError(options.signal)
    // The participants exit once told the run ended; give them a moment, then stop them.
    const rest = [...exits.entries()].filter(([name]) => name !== 'provider')
    const settled = await Promise.race([
      Promise.all(rest.map(([, exit]) => exit)),
      new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), 30_000).unref()),
    ])
    if (settled === 'late') killAll()
    const exitCodes: Record<string, number | null> = { provider: providerExit }
    for (const [name, exit] of rest) exitCodes[name] = await exit
    const last = stdout.at(-1)
    if (providerExit !== 0 || last === undefined)
      throw new MsflError('PROTOCOL', `deploy local: the provider exited with code ${providerExit}`)
    return { summary: JSON.parse(last) as Record<string, unknown>, exitCodes, modelFile }
  } finally {
    clearTimeout(timer)
    killAll()
  }
}
