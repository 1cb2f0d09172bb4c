import { writeFileSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { loadDataset } from '../src/adapters/data/index.ts'
import { parseDatasetSpec } from '../src/core/data/parseDatasetSpec.ts'
import { benchAggregation } from './aggregation.bench.ts'
import { keptSections } from './benchmarksFile.ts'
import { benchCodec } from './codec.bench.ts'
import type { BenchRow } from './measure.ts'
import { benchRobustRules } from './robust.bench.ts'
import { benchFedAvgRound, benchLocalTraining } from './training.bench.ts'

/**
 * `npm run bench`: runs every benchmark and rewrites BENCHMARKS.md with the
 * results and the machine they were measured on. Timings live here, never in tests.
 */
const log = (text: string) => process.stderr.write(`${text}\n`)
// Other work on the machine slows every timing down: the report says how busy it was.
const loadAtStart = loadavg()[0]!
const sections: { title: string; rows: BenchRow[] }[] = []

log('loading MNIST…')
const mnist = await loadDataset(parseDatasetSpec('mnist'), 1)

log('local training…')
sections.push({
  title: 'Local training (one data owner)',
  rows: [benchLocalTraining(mnist, 'softmax'), benchLocalTraining(mnist, 'mlp:hidden=128')],
})
log('FedAvg rounds…')
sections.push({
  title: 'Federated round (simulation, in-memory transport)',
  rows: [await benchFedAvgRound(mnist, 'softmax'), await benchFedAvgRound(mnist, 'mlp:hidden=128')],
})
log('aggregation…')
sections.push({
  title: 'Aggregation throughput',
  rows: [...benchAggregation(100, 101_770), ...benchAggregation(10, 1_000_000)],
})
log('robust aggregation rules…')
sections.push({
  title: 'Robust aggregation rules (100 clients × 100,000 parameters)',
  rows: benchRobustRules(100, 100_000),
})
log('codec…')
sections.push({ title: 'Wire codec', rows: [benchCodec(101_770)] })
sections.push({
  title: 'Settlement contract gas (in-process EVM, Shanghai)',
  rows: await (await import('./ledger.bench.ts')).benchLedger(),
})
sections.push({
  title: 'Homomorphic encryption (CKKS)',
  rows: await (await import('./he.bench.ts')).benchHe(),
})
log('secure aggregation…')
const secagg = await (await import('./secagg.bench.ts')).benchSecureAggregation()
sections.push({ title: 'Secure aggregation (SecAgg / SecAgg+)', rows: secagg })
log('Paillier…')
const paillier = await (await import('./paillier.bench.ts')).benchPaillier()
sections.push({ title: 'Paillier (2048-bit, packed)', rows: paillier })
log('bytes on the wire…')
const wire = await (await import('./wireBytes.bench.ts')).benchWireBytes()
sections.push({
  title: 'Protected updates: bytes per parameter and time (100,000 parameters per client)',
  rows: protectedUpdatesSummary(secagg, paillier, wire, sections),
})
log('MS-FL rounds…')
sections.push({
  title: 'MS-FL protocol rounds (per phase)',
  rows: await (await import('./msflRound.bench.ts')).benchMsflRounds(),
})
log('ADRM detection…')
sections.push({
  title: 'ADRM detection stage (100 clients × 100,000 parameters)',
  rows: await (await import('./adrm.bench.ts')).benchAdrm(),
})
log('SMPC verification…')
sections.push({
  title: 'SMPC model verification (softmax MNIST, 1,000 validation samples, 3 nodes)',
  rows: await (await import('./smpc.bench.ts')).benchSmpc(),
})

/**
 * One table across protections, from the rows measured above (a missing row fails
 * loudly). Every byte count is an encoded message as the engine sends it.
 */
function protectedUpdatesSummary(
  secaggRows: BenchRow[],
  paillierRows: BenchRow[],
  wireRows: BenchRow[],
  all: { rows: BenchRow[] }[],
): BenchRow[] {
  const find = (rows: BenchRow[], prefix: string) => {
    const row = rows.find((r) => r.name.startsWith(prefix))
    if (!row) throw new Error(`benchmark row '${prefix}…' is missing`)
    return row
  }
  const he = all.flatMap((s) => s.rows)
  const ckksTime = find(he, 'CKKS encryption of a 100,000-parameter update')
  const plain = find(wireRows, 'plaintext fit reply')
  const paillierWire = find(wireRows, 'protected fit reply, --privacy paillier')
  const ckksWire = find(wireRows, 'protected fit reply, --privacy ckks')
  return [
    {
      name: 'plaintext, float64 (reference)',
      value: plain.value,
      detail: `no protection: the server reads every update; ${plain.detail}`,
    },
    {
      name: 'secure aggregation, 100 clients, 30 % dropout (complete graph)',
      value: `${find(secaggRows, 'secure aggregation: upload per parameter (100 clients × 100,000 parameters, complete').value}/parameter`,
      detail: `client ${find(secaggRows, 'secure aggregation: time per client (100 clients × 100,000 parameters, complete').value}, server ${find(secaggRows, 'secure aggregation: server time (100 clients × 100,000 parameters, complete').value}; plus key material per peer`,
    },
    {
      name: 'Paillier 2048-bit, packed b = 16',
      value: paillierWire.value,
      detail: `${find(paillierRows, 'packed encryption, no pool, gmp-wasm, b = 16').value} without the pool, ${find(paillierRows, 'packed encryption online with the pool').value} online with it; ${paillierWire.detail}`,
    },
    {
      name: 'CKKS ckks-8192 (public-key encryption)',
      value: ckksWire.value,
      detail: `${ckksTime.value} for 100,000 parameters; ${ckksWire.detail}`,
    },
  ]
}

const cpu = cpus()
const machine = [
  `- date: ${new Date().toISOString()}`,
  `- machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${process.platform} ${process.arch}`,
  `- Node.js ${process.version}`,
  `- load average (1 min) at start and end: ${loadAtStart.toFixed(1)} and ${loadavg()[0]!.toFixed(1)} on ${cpu.length} cores (above ${cpu.length}, other jobs shared the machine and timings are slower than on an idle one)`,
  '- command: `npm run bench`',
].join('\n')
const body = sections
  .map(
    (s) =>
      `## ${s.title}\n\n| benchmark | result | detail |\n| --- | --- | --- |\n${s.rows.map((r) => `| ${r.name} | ${r.value} | ${r.detail} |`).join('\n')}`,
  )
  .join('\n\n')
const text = `# Benchmarks\n\nWritten by \`npm run bench\` (bench/run.ts); do not edit by hand.\n\n${machine}\n\n${body}\n`
// Sections measured by other commands (bench:heap, bench:package) survive this rewrite.
const kept = keptSections()
writeFileSync('BENCHMARKS.md', kept.length > 0 ? `${text}\n${kept.join('\n\n')}\n` : text)
process.stdout.write(text)
