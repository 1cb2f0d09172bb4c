import assert from 'node:assert/strict'
import { it } from 'node:test'
import { createOwnersInProcess, msflAdapters } from '../../src/cli/executeMsflSimulation.ts'
import { planMsflRun } from '../../src/runtime/config/planRun.ts'
import { simulationConfigSchema } from '../../src/runtime/config/simulationConfig.ts'
import { runMsflSimulation } from '../../src/runtime/runMsflSimulation.ts'
// Records SEAL's WebAssembly memory when SEAL is first instantiated (lazily, at the first key generation).
import { wasmHeapBytes } from '../he-seal/sealTestHelpers.ts'
import { loadAdultSlice } from '../helpers/adultSlice.ts'

// 10 rounds after warm-up: a leak of more than ~420 KB per round (a ciphertext at N = 16384 is
// ~1.5 MB) crosses the 4 MB bound. Longer runs, for slower leaks: npm run bench:heap.
const ROUNDS = 15

it(`the WebAssembly heap does not grow over ${ROUNDS} MS-FL rounds`, async () => {
  const data = await loadAdultSlice(600, 200)
  const heap: number[] = []
  await runMsflSimulation({
    runId: 'heap',
    plan: planMsflRun(
      simulationConfigSchema.parse({
        dataset: 'adult',
        protocol: 'msfl',
        clients: 3,
        rounds: ROUNDS,
        msfl: { batchSize: 32 },
      }),
    ),
    data,
    adapters: {
      ...msflAdapters,
      // Owners in this thread, so every SEAL object of the run lives in the heap measured here.
      createOwners: createOwnersInProcess,
    },
    emit: (event) => {
      if (event.type === 'round-completed') heap.push(wasmHeapBytes())
    },
    now: () => 0,
  })
  assert.equal(heap.length, ROUNDS)
  // After a few rounds of warm-up the heap must stay put: a leaked ciphertext (~1.5 MB
  // at N = 16384) per round would add pages every round.
  const warm = heap[4]!
  const last = heap.at(-1)!
  assert.ok(
    last - warm <= 4 * 1024 * 1024,
    `heap grew from ${warm} to ${last} bytes between round 5 and round ${ROUNDS}`,
  )
})
