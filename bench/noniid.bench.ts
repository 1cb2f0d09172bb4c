import { cpus, loadavg, totalmem } from 'node:os'
import { loadDataset } from '../src/adapters/data/index.ts'
import { createMemoryTransport } from '../src/adapters/transport/index.ts'
import { parseDatasetSpec } from '../src/core/data/parseDatasetSpec.ts'
import { planFederatedRun } from '../src/runtime/config/planRun.ts'
import {
  type SimulationConfigInput,
  simulationConfigSchema,
} from '../src/runtime/config/simulationConfig.ts'
import { runSimulation } from '../src/runtime/runSimulation.ts'
import { KEPT_ACROSS_BENCH, writeSection } from './benchmarksFile.ts'

/**
 * `npm run bench:noniid` (issue 18, acceptance 3): MNIST softmax, 20 owners with
 * Dirichlet α = 0.1 label skew, the same local training for every strategy; the first
 * round whose global model reaches 85 % test accuracy, per strategy. Writes its section
 * of BENCHMARKS.md. Arguments: `--rounds N`, `--seeds a,b,…` and `--strategies a;b;…`
 * (strategy specs, separated by `;` since their options use commas).
 */
const args = process.argv.slice(2)
const option = (name: string) => {
  const at = args.indexOf(`--${name}`)
  return at >= 0 ? args[at + 1] : undefined
}
const TARGET = 0.85
const rounds = Number(option('rounds') ?? 40)
const strategies = (
  option('strategies') ?? 'fedavg;fedprox:mu=0.01;scaffold;fedadam:lr=0.03;fedavgm'
).split(';')
const seeds = (option('seeds') ?? '42,1,2').split(',').map(Number)
const config = (strategy: string, seed: number): SimulationConfigInput => ({
  dataset: 'mnist',
  model: 'softmax',
  clients: 20,
  rounds,
  partition: 'dirichlet:0.1',
  training: { epochs: 1, batchSize: 32, learningRate: 0.05, momentum: 0.9 },
  strategy,
  seed,
})
const log = (text: string) => process.stderr.write(`${text}\n`)
const loadAtStart = loadavg()[0]!
const percent = (x: number) => `${(100 * x).toFixed(2)} %`
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length

const rows: string[] = []
for (const strategy of strategies) {
  const started = performance.now()
  const reached: (number | undefined)[] = []
  const finals: number[] = []
  for (const seed of seeds) {
    // The dataset's split depends on the seed, as in `msfl simulate --seed`.
    const data = await loadDataset(parseDatasetSpec('mnist'), seed)
    const result = await runSimulation({
      runId: `noniid-${strategy}-${seed}`,
      plan: planFederatedRun(simulationConfigSchema.parse(config(strategy, seed))),
      data,
      createTransport: (handlers) => createMemoryTransport({ handlers }),
      emit: () => {},
      now: Date.now,
    })
    const accuracy = result.history.map((r) => r.test.accuracy ?? 0)
    const first = accuracy.findIndex((a) => a >= TARGET)
    reached.push(first >= 0 ? first + 1 : undefined)
    finals.push(accuracy.at(-1)!)
    log(`${strategy}, seed ${seed}: ${accuracy.map((a) => (100 * a).toFixed(1)).join(' ')}`)
  }
  const seconds = (performance.now() - started) / 1000
  const all = reached.every((r) => r !== undefined)
  rows.push(
    `| \`${strategy}\` | ${reached.map((r) => r ?? `> ${rounds}`).join(' / ')} | ${all ? mean(reached as number[]).toFixed(1) : 'not every seed'} | ${percent(mean(finals))} (${percent(Math.min(...finals))} – ${percent(Math.max(...finals))}) | ${seconds.toFixed(0)} s |`,
  )
  log(rows.at(-1)!)
}

const cpu = cpus()
writeSection(
  '## Non-IID strategies',
  [
    `## Non-IID strategies (\`npm run bench:noniid\`, ${KEPT_ACROSS_BENCH})`,
    '',
    `MNIST softmax, 20 data owners, \`--partition dirichlet:0.1\` (label skew), every owner every round, the same local training for every strategy (1 epoch, batch 32, lr 0.05, momentum 0.9), seeds ${seeds.join(', ')}. "Rounds to 85 %": the first round whose global model reaches 85 % test accuracy, per seed; accuracy after ${rounds} rounds as the mean over seeds (lowest – highest). Options other than the defaults were chosen on seed 42 (docs/strategies.md says which were tried).`,
    '',
    `| strategy | rounds to 85 % (seed ${seeds.join(' / ')}) | mean | accuracy after ${rounds} rounds | time (all seeds) |`,
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `- date: ${new Date().toISOString()}`,
    `- machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${process.platform} ${process.arch}; Node.js ${process.version}`,
    `- load average (1 min) at start and end: ${loadAtStart.toFixed(1)} and ${loadavg()[0]!.toFixed(1)} on ${cpu.length} cores (times are slower when other jobs share the machine)`,
    `- command: \`npm run bench:noniid -- --rounds ${rounds} --seeds ${seeds.join(',')} --strategies '${strategies.join(';')}'\``,
  ].join('\n'),
)
