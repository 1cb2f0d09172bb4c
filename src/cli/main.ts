#!/usr/bin/env node
import { MsflError } from '../core/errors/msflError.ts'

interface Command {
  readonly run: (argv: readonly string[]) => Promise<number>
  readonly help: string
}

// Each command is imported only when it is used: the HE, EVM and crypto libraries behind
// some of them take over a second to load, which `msfl --help` should not pay.
const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {
  demo: {
    load: () => import('./commands/demo.ts').then((m) => ({ run: m.demo, help: m.demoHelp })),
    summary:
      'run the default job (MS-FL on CKKS, UCI Adult, 10 data owners, paid on an in-process EVM)',
  },
  simulate: {
    load: () =>
      import('./commands/simulate.ts').then((m) => ({ run: m.simulate, help: m.simulateHelp })),
    summary: 'federated training in one process, from a config and flags',
  },
  experiment: {
    load: () =>
      import('./commands/experiment.ts').then((m) => ({
        run: m.experiment,
        help: m.experimentHelp,
      })),
    summary: 'defences × attacks × malicious shares × seeds, with CSV, JSON and an HTML report',
  },
  chain: {
    load: () => import('./commands/chain.ts').then((m) => ({ run: m.chain, help: m.chainHelp })),
    summary: 'inspect the settlement contract of an MS-FL run; verify a model file against it',
  },
  datasets: {
    load: () =>
      import('./commands/datasets.ts').then((m) => ({ run: m.datasets, help: m.datasetsHelp })),
    summary:
      'list the bundled datasets and verify their SHA-256 sums; split one into owners’ CSV files',
  },
  pki: {
    load: () => import('./commands/pki.ts').then((m) => ({ run: m.pki, help: m.pkiHelp })),
    summary: 'the federation CA: issue, revoke and list participant certificates, startup kits',
  },
  server: {
    load: () => import('./commands/server.ts').then((m) => ({ run: m.server, help: m.serverHelp })),
    summary: 'deployment: the service provider, the one process that listens (gRPC, mutual TLS)',
  },
  owner: {
    load: () => import('./commands/owner.ts').then((m) => ({ run: m.owner, help: m.ownerHelp })),
    summary: 'deployment: a data owner training on its own data, connecting out to the server',
  },
  requestor: {
    load: () =>
      import('./commands/requestor.ts').then((m) => ({ run: m.requestor, help: m.requestorHelp })),
    summary: 'deployment: the model requestor, receiving the trained model',
  },
  verifier: {
    load: () =>
      import('./commands/verifier.ts').then((m) => ({ run: m.verifier, help: m.verifierHelp })),
    summary: 'deployment: an SMPC verifier node checking every local model on secret shares',
  },
  'key-holder': {
    load: () =>
      import('./commands/keyHolder.ts').then((m) => ({ run: m.keyHolder, help: m.keyHolderHelp })),
    summary: 'deployment: the key holder of privacy ckks|paillier, decrypting only round sums',
  },
  deploy: {
    load: () => import('./commands/deploy.ts').then((m) => ({ run: m.deploy, help: m.deployHelp })),
    summary: 'deploy local: a whole federation, every role its own process, on this machine',
  },
  runs: {
    load: () => import('./commands/runs.ts').then((m) => ({ run: m.runs, help: m.runsHelp })),
    summary: "the runs in a server's store: status, and one run's round history (runs show)",
  },
  run: {
    load: () => import('./commands/runs.ts').then((m) => ({ run: m.run, help: m.runHelp })),
    summary: 'operator commands on a stored run: pause, resume, abort',
  },
}

/** One line per command; the name column is as wide as the longest name plus two spaces. */
function commandTable(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length)) + 2
  return Object.entries(commands)
    .map(([name, c]) => `  ${name.padEnd(width)}${c.summary}`)
    .join('\n')
}

const usage = `msfl — secure federated learning between parties that do not trust each other

usage: msfl <command> [options]

${commandTable()}

msfl <command> --help shows the options of a command.
`

// Own keys only, so `msfl toString` is an unknown command rather than a crash.
function findCommand(name: string) {
  return Object.hasOwn(commands, name) ? commands[name] : undefined
}

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const topic = name === 'help' ? rest[0] : undefined
    const entry = topic === undefined ? undefined : findCommand(topic)
    process.stdout.write(entry ? (await entry.load()).help : usage)
    return 0
  }
  const entry = findCommand(name)
  if (!entry) {
    process.stderr.write(
      `msfl: unknown command ${JSON.stringify(name)} (commands: ${Object.keys(commands).join(', ')})\n`,
    )
    return 2
  }
  try {
    const command = await entry.load()
    return await command.run(rest)
  } catch (error) {
    process.stderr.write(`msfl ${name}: ${describe(error)}\n`)
    return error instanceof MsflError || isUsageError(error) ? 2 : 1
  }
}

function isUsageError(error: unknown): boolean {
  return (
    error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')
  )
}

function describe(error: unknown): string {
  if (error instanceof MsflError || isUsageError(error)) return (error as Error).message
  if (error instanceof Error) return error.stack ?? error.message
  return String(error)
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (error) => {
    process.stderr.write(`msfl: ${describe(error)}\n`)
    process.exitCode = 1
  },
)
