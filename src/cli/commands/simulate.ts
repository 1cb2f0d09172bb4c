import { parseCommandArgs } from '../parseCommandArgs.ts'
import { parseRunConfig } from '../parseSimulationConfig.ts'
import { simulationFlags } from '../simulationFlags.ts'

export const simulateHelp = `msfl simulate [--config FILE] [flags]

Runs federated training in one process: data owners are partitioned from one
dataset and talk to the server through the in-memory transport (every message
goes through the binary wire codec). Writes runs/<id>/ with the config, metrics,
the final model, the event log and an HTML report.

  --config FILE       JSON or YAML config; flags override it
${simulationFlags.map((f) => `  --${f.flag.padEnd(18)}${f.help}`).join('\n')}
  --json              print one JSON summary as the last stdout line
  --quiet             no progress output
`

export async function simulate(argv: readonly string[]): Promise<number> {
  const { values } = parseCommandArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      config: { type: 'string' },
      json: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      ...Object.fromEntries(simulationFlags.map((f) => [f.flag, { type: 'string' as const }])),
    },
  })
  if (values.help) {
    process.stdout.write(simulateHelp)
    return 0
  }
  const { config, plan } = parseRunConfig(values)
  const options = { json: values.json === true, quiet: values.quiet === true }
  // The engines (HE, EVM, chain client) load only once the config is valid: a refused
  // flag is reported in well under a second instead of after two seconds of imports.
  const summary =
    plan.protocol === 'msfl'
      ? await (await import('../executeMsflSimulation.ts')).executeMsflSimulation(config, plan, {
          ...options,
          title: `msfl simulate: MS-FL on ${config.dataset} (${plan.he})`,
        })
      : await (await import('../executeSimulation.ts')).executeSimulation(config, plan, {
          ...options,
          title: `msfl simulate: ${config.dataset} / ${config.model}`,
        })
  if (values.json) process.stdout.write(`${JSON.stringify(summary.json)}\n`)
  else
    process.stdout.write(
      `${'ledgerText' in summary ? `${summary.ledgerText}` : ''}report: ${summary.report}\n`,
    )
  return 0
}
