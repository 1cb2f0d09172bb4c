import { MsflError } from '../../core/errors/msflError.ts'
import { executeMsflSimulation } from '../executeMsflSimulation.ts'
import { parseCommandArgs } from '../parseCommandArgs.ts'
import { parseRunConfig } from '../parseSimulationConfig.ts'

/**
 * The embedded default job that `npm start` runs: the MS-FL protocol on real data with
 * real CKKS, three poisoning data owners, nothing to set up.
 */
export const demoConfig = {
  dataset: 'adult',
  protocol: 'msfl',
  he: 'ckks-16384',
  clients: 10,
  rounds: 25,
  partition: 'iid',
  attack: 'label-flip',
  malicious: 0.3,
  aggregator: 'msfl',
  msfl: {
    batchSize: 256,
    learningRate: 8,
    weightDecay: 0.001,
    mask: 'component',
    pricePerComponent: 1,
  },
  seed: 42,
}

export const demoHelp = `msfl demo [--json] [--out DIR] [--seed N] [--rounds N]

The MS-FL protocol (SPEC C2) on UCI Adult: a model requestor holding the only CKKS
key (ckks-16384, 128-bit), 10 data owners computing logistic-regression gradients on
the encrypted model (3 of them flip their labels), and a service provider that masks
and aggregates ciphertexts and pays the owners through the Solidity settlement
contract on an in-process EVM.
25 rounds, per-round phase timings and bytes, evaluated on adult.test every round.
`

export async function demo(argv: readonly string[]): Promise<number> {
  const { values } = parseCommandArgs({
    args: [...argv],
    strict: true,
    options: {
      json: { type: 'boolean', default: false },
      out: { type: 'string' },
      seed: { type: 'string' },
      rounds: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) {
    process.stdout.write(demoHelp)
    return 0
  }
  const { config, plan } = parseRunConfig(
    { out: values.out, seed: values.seed, rounds: values.rounds },
    demoConfig,
  )
  if (plan.protocol !== 'msfl')
    throw new MsflError('CONFIG_INVALID', 'protocol: the demo runs the msfl protocol')
  const summary = await executeMsflSimulation(config, plan, {
    title: 'msfl demo: MS-FL on UCI Adult (CKKS)',
    json: values.json === true,
    quiet: false,
  })
  if (values.json) {
    process.stdout.write(`${JSON.stringify(summary.json)}\n`)
    return 0
  }
  process.stdout.write(
    `\n${summary.ledgerText}` +
      `\nfinal test accuracy: ${(summary.accuracy * 100).toFixed(2)} % on adult.test ` +
      `(the same run in plaintext arithmetic: ${(summary.plaintextAccuracy * 100).toFixed(2)} %)\n` +
      `report: ${summary.report}\n`,
  )
  return 0
}
