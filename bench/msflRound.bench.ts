import { performance } from 'node:perf_hooks'
import { loadDataset } from '../src/adapters/data/index.ts'
import { msflAdapters } from '../src/cli/executeMsflSimulation.ts'
import { parseDatasetSpec } from '../src/core/data/parseDatasetSpec.ts'
import type { MsflRoundRecord } from '../src/core/events/runEvent.ts'
import { planMsflRun } from '../src/runtime/config/planRun.ts'
import { simulationConfigSchema } from '../src/runtime/config/simulationConfig.ts'
import { runMsflSimulation } from '../src/runtime/runMsflSimulation.ts'
import { type BenchRow, fmt } from './measure.ts'

const PHASES = ['model', 'owners', 'mask', 'select', 'aggregate', 'update'] as const

/**
 * Whole MS-FL rounds at 10 data owners (3 attackers), as `msfl simulate --protocol
 * msfl` runs them: owners in the worker-thread pool, SP and MR in the main thread.
 * Reports the last of `rounds` rounds (the first pays for warm-up) per phase, and the
 * ciphertext bytes each data owner receives and sends per round.
 */
export async function benchMsflRounds(): Promise<BenchRow[]> {
  return [
    await benchMsflRound('Adult, binary', 'adult', 'label-flip'),
    await benchMsflRound('MNIST 14×14, one-vs-rest ×10', 'mnist:downsample=14', 'backdoor:size=2'),
  ]
}

async function benchMsflRound(label: string, dataset: string, attack: string): Promise<BenchRow> {
  const rounds = 2
  const config = simulationConfigSchema.parse({
    dataset,
    protocol: 'msfl',
    clients: 10,
    attack,
    malicious: 0.3,
    rounds,
  })
  const data = await loadDataset(parseDatasetSpec(dataset), config.seed)
  const ownerBytes = new Map<number, number>()
  const ciphertextBytes = (message: unknown) =>
    ((message as { ciphertexts?: Uint8Array[] }).ciphertexts ?? []).reduce(
      (sum, c) => sum + c.length,
      0,
    )
  let history: readonly MsflRoundRecord[] = []
  const start = performance.now()
  const result = await runMsflSimulation({
    runId: 'bench',
    plan: planMsflRun(config),
    data,
    adapters: {
      ...msflAdapters,
      createTransport: (handlers) => {
        const inner = msflAdapters.createTransport(handlers)
        return {
          stats: inner.stats,
          async request(to, message, options) {
            const reply = await inner.request(to, message, options)
            if (to.startsWith('do-')) {
              const round = (message as { round: number }).round
              const bytes = ciphertextBytes(message) + ciphertextBytes(reply)
              ownerBytes.set(round, (ownerBytes.get(round) ?? 0) + bytes)
            }
            return reply
          },
        }
      },
    },
    emit: () => {},
    now: () => performance.now(),
  })
  history = result.history
  const last = history.at(-1)!
  const phases = PHASES.map((p) => `${p} ${fmt(last.phases[p] ?? 0)} ms`).join(', ')
  const perOwner = (ownerBytes.get(rounds) ?? 0) / config.clients
  return {
    name: `MS-FL round, ${label} (10 data owners, 3 attackers, m = 256, ckks-16384)`,
    value: `${fmt(last.durationMs)} ms`,
    detail: `round ${rounds} of ${rounds}: ${phases}; ${(perOwner / 1e6).toFixed(1)} MB of ciphertexts per data owner per round (model in, gradient out); all rounds incl. key generation ${fmt(performance.now() - start)} ms; public material ${(result.publicMaterialBytes / 1e6).toFixed(1)} MB`,
  }
}
