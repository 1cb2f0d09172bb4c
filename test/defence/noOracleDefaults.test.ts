import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { loadDataset } from '../../src/adapters/data/index.ts'
import { modelDigest } from '../../src/adapters/ledger-evm/index.ts'
import { createCsprng } from '../../src/adapters/random/index.ts'
import { createMemoryTransport } from '../../src/adapters/transport/index.ts'
import { createRunLedger } from '../../src/cli/msfl/createRunLedger.ts'
import { parseDatasetSpec } from '../../src/core/data/parseDatasetSpec.ts'
import type { RunEvent } from '../../src/core/events/runEvent.ts'
import { planFederatedRun } from '../../src/runtime/config/planRun.ts'
import {
  type SimulationConfigInput,
  simulationConfigSchema,
} from '../../src/runtime/config/simulationConfig.ts'
import { runSimulation } from '../../src/runtime/runSimulation.ts'

// Acceptance 4 of issue 18: nothing in any default reads the simulation's attacker list.
// Three owners are recorded as attackers whose attack changes nothing (label-flip of 0 %
// of their rows: their replies are bit for bit the honest ones). A defence whose default
// read the attacker list (f = number of attackers, ADRM labels from the true attackers)
// would decide differently in the run that records them than in the one that does not.
const digits = await loadDataset(parseDatasetSpec('digits'), 42)
const harmless = 'label-flip:fraction=0'
const recorded = { 'do-1': harmless, 'do-4': harmless, 'do-7': harmless }

/** Every decision a defence made, without timestamps; the final parameters. */
async function decisions(input: SimulationConfigInput, attackers: boolean) {
  const config = simulationConfigSchema.parse({
    dataset: 'digits',
    model: 'softmax',
    clients: 10,
    rounds: 4,
    ledger: 'memory',
    training: { epochs: 1, batchSize: 16, learningRate: 0.2, momentum: 0.9 },
    ...input,
    ...(attackers ? { attackers: recorded } : {}),
  })
  const events: RunEvent[] = []
  const result = await runSimulation({
    runId: 'oracle-check',
    plan: planFederatedRun(config),
    data: digits,
    createTransport: (handlers) => createMemoryTransport({ handlers }),
    noiseRng: createCsprng,
    defences: {
      createLedger: (spec) => createRunLedger(spec, new Uint8Array(32).fill(3)),
      modelDigest,
      csprng: createCsprng,
      createTransport: (handlers) => createMemoryTransport({ handlers }),
    },
    emit: (e) => events.push(e),
    now: () => 0,
  })
  assert.equal(result.attackers.size, attackers ? 3 : 0)
  const decided = new Set([
    'update-excluded',
    'update-flagged',
    'update-quarantined',
    'client-blocked',
    'client-unblocked',
    'reputation-changed',
    'model-rolled-back',
    'anomaly-model-replaced',
    'robust-rule-adjusted',
  ])
  return {
    events: events
      .filter((e) => decided.has(e.type))
      .map(({ at: _, ...body }) => JSON.stringify(body)),
    excluded: result.history.map((r) => r.excluded),
    params: [...result.params],
  }
}

describe('no default reads the simulation’s attacker list', () => {
  const cases: [string, SimulationConfigInput][] = [
    // multi-krum averages n − f updates: f shows in how many it leaves out every round.
    ['multi-krum (f from the default tolerance)', { aggregator: 'multi-krum' }],
    ['trimmed-mean behind ADRM (defaults)', { aggregator: 'trimmed-mean', defence: 'adrm' }],
    [
      'median behind ADRM, declared tolerance',
      { aggregator: 'median', defence: 'adrm', tolerate: 0.2 },
    ],
  ]
  for (const [name, input] of cases)
    it(`${name}: the same decisions with and without recorded attackers`, async () => {
      const honest = await decisions(input, false)
      const withAttackers = await decisions(input, true)
      assert.deepEqual(withAttackers.excluded, honest.excluded)
      assert.deepEqual(withAttackers.events, honest.events)
      assert.deepEqual(withAttackers.params, honest.params)
      if (input.aggregator === 'multi-krum')
        // f = floor(0.3 · 10) = 3 every round; an oracle would leave out 0 without attackers.
        assert.ok(
          honest.excluded.every((x) => x.length === 3),
          JSON.stringify(honest.excluded),
        )
    })

  it('no robust rule or strategy in src/ is built from the attacker list (static check)', () => {
    const offenders: string[] = []
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name)
        if (entry.isDirectory()) walk(path)
        else if (entry.name.endsWith('.ts')) {
          const text = readFileSync(path, 'utf8')
          for (const call of text.matchAll(
            /(createRobustRule|createStrategy)\(([^()]|\([^()]*\))*\)/g,
          ))
            if (/attacker/i.test(call[0])) offenders.push(`${path}: ${call[0]}`)
        }
      }
    }
    walk('src')
    assert.deepEqual(offenders, [])
  })
})
