// `npm run bench:heap`: 500 MS-FL rounds on Adult with every party in this thread,
// recording SEAL's WebAssembly heap after each round; fails if it grows after warm-up.
// Long (≈ 10 minutes), so it is not part of `npm run bench`; its result is kept in
// BENCHMARKS.md under "Long runs".

import { cpus } from 'node:os'
import { performance } from 'node:perf_hooks'
import { loadDataset } from '../src/adapters/data/index.ts'
import { createOwnersInProcess, msflAdapters } from '../src/cli/executeMsflSimulation.ts'
import { parseDatasetSpec } from '../src/core/data/parseDatasetSpec.ts'
import { planMsflRun } from '../src/runtime/config/planRun.ts'
import { simulationConfigSchema } from '../src/runtime/config/simulationConfig.ts'
import { runMsflSimulation } from '../src/runtime/runMsflSimulation.ts'
import { wasmHeapBytes } from '../test/he-seal/sealTestHelpers.ts'
import { KEPT_ACROSS_BENCH, writeSection } from './benchmarksFile.ts'

const rounds = Number(process.env['MSFL_HEAP_ROUNDS'] ?? 500)
const data = await loadDataset(parseDatasetSpec('adult'), 42)
const heap: number[] = []
let accuracy = 0
const started = performance.now()
const result = await runMsflSimulation({
  runId: 'heap',
  plan: planMsflRun(
    simulationConfigSchema.parse({
      dataset: 'adult',
      protocol: 'msfl',
      clients: 10,
      rounds,
      attack: 'label-flip',
      malicious: 0.3,
      msfl: { batchSize: 64 },
    }),
  ),
  data,
  adapters: {
    ...msflAdapters,
    createOwners: createOwnersInProcess,
  },
  emit: (event) => {
    if (event.type !== 'round-completed') return
    heap.push(wasmHeapBytes())
    accuracy = event.record.test.accuracy ?? 0
    if (event.record.round % 50 === 0)
      process.stderr.write(
        `round ${event.record.round}: heap ${(heap.at(-1)! / 2 ** 20).toFixed(1)} MiB, accuracy ${(accuracy * 100).toFixed(2)} %\n`,
      )
  },
  now: () => performance.now(),
})
const warm = heap[19]!
const last = heap.at(-1)!
const growth = last - warm
const line = `| ${rounds} MS-FL rounds on Adult (10 owners, 3 label-flippers, m = 64, ckks-16384, all parties in one thread) | heap growth ${(growth / 2 ** 20).toFixed(2)} MiB after round 20 (bound 4 MiB) | heap ${(warm / 2 ** 20).toFixed(1)} → ${(last / 2 ** 20).toFixed(1)} MiB; final accuracy ${((result.final.accuracy ?? 0) * 100).toFixed(2)} %; ${((performance.now() - started) / 60000).toFixed(1)} min on ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}, ${new Date().toISOString()} |`
process.stdout.write(`${line}\n`)
const marker = '## Long runs'
writeSection(
  marker,
  `${marker} (\`npm run bench:heap\`, ${KEPT_ACROSS_BENCH})\n\n| benchmark | result | detail |\n| --- | --- | --- |\n${line}`,
)
if (growth > 4 * 2 ** 20) {
  process.stderr.write(`FAIL: the WebAssembly heap grew by ${growth} bytes\n`)
  process.exit(1)
}
