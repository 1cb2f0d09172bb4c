import { parseArgs } from 'node:util'
import { formatMetrics } from '../../adapters/events/createConsoleProgress.ts'
import { executeSimulation } from '../executeSimulation.ts'
import { parseSimulationConfig } from '../parseSimulationConfig.ts'

/** The embedded default job that `npm start` runs: nothing to set up, real data, real training. */
export const demoConfig = {
  dataset: 'adult',
  model: 'logistic',
  clients: 10,
  rounds: 20,
  partition: 'iid',
  strategy: 'fedavg',
  training: { epochs: 1, batchSize: 64, learningRate: 0.05, momentum: 0.9 },
  seed: 42,
}

export const demoHelp = `msfl demo [--json] [--out DIR] [--seed N]

FedAvg over 10 data owners holding IID shares of UCI Adult (32,561 rows),
binary logistic regression, 20 rounds, evaluated on adult.test every round.
`

export async function demo(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      json: { type: 'boolean', default: false },
      out: { type: 'string' },
      seed: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) {
    process.stdout.write(demoHelp)
    return 0
  }
  const config = parseSimulationConfig({ out: values.out, seed: values.seed }, demoConfig)
  const summary = await executeSimulation(config, {
    title: 'msfl demo: FedAvg on UCI Adult',
    json: values.json === true,
    quiet: false,
  })
  if (values.json) {
    process.stdout.write(`${JSON.stringify(summary.json)}\n`)
    return 0
  }
  const accuracy = summary.result.final.accuracy ?? 0
  process.stdout.write(
    `\nfinal test accuracy: ${(accuracy * 100).toFixed(2)} % on adult.test (${formatMetrics(summary.result.history.at(-1)!.test)})\n` +
      `report: ${summary.report}\n`,
  )
  return 0
}
