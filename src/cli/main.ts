#!/usr/bin/env node
import { MsflError } from '../core/errors/msflError.ts'
import { chain, chainHelp } from './commands/chain.ts'
import { datasets, datasetsHelp } from './commands/datasets.ts'
import { demo, demoHelp } from './commands/demo.ts'
import { experiment, experimentHelp } from './commands/experiment.ts'
import { simulate, simulateHelp } from './commands/simulate.ts'

const commands: Record<
  string,
  { run: (argv: readonly string[]) => Promise<number>; help: string; summary: string }
> = {
  demo: {
    run: demo,
    help: demoHelp,
    summary:
      'run the default job (MS-FL on CKKS, UCI Adult, 10 data owners, paid on an in-process EVM)',
  },
  simulate: {
    run: simulate,
    help: simulateHelp,
    summary: 'federated training in one process, from a config and flags',
  },
  experiment: {
    run: experiment,
    help: experimentHelp,
    summary: 'defences × attacks × malicious shares × seeds, with CSV, JSON and an HTML report',
  },
  chain: {
    run: chain,
    help: chainHelp,
    summary: 'inspect the settlement contract of an MS-FL run; verify a model file against it',
  },
  datasets: {
    run: datasets,
    help: datasetsHelp,
    summary: 'list the bundled datasets and verify their SHA-256 sums',
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

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const topic = name === 'help' ? rest[0] : undefined
    process.stdout.write(topic && commands[topic] ? commands[topic].help : usage)
    return 0
  }
  const command = commands[name]
  if (!command) {
    process.stderr.write(
      `msfl: unknown command ${JSON.stringify(name)} (commands: ${Object.keys(commands).join(', ')})\n`,
    )
    return 2
  }
  try {
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
