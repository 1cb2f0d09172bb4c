import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { loadDataset } from '../../src/adapters/data/index.ts'
import { createMemoryTransport } from '../../src/adapters/transport/index.ts'
import { parseDatasetSpec } from '../../src/core/data/parseDatasetSpec.ts'
import type { RunEvent } from '../../src/core/events/runEvent.ts'
import { STRATEGY_NAMES } from '../../src/core/fl/parseStrategySpec.ts'
import type { MessageHandler } from '../../src/core/ports/transport.ts'
import { planFederatedRun } from '../../src/runtime/config/planRun.ts'
import {
  type SimulationConfigInput,
  simulationConfigSchema,
} from '../../src/runtime/config/simulationConfig.ts'
import { runSimulation } from '../../src/runtime/runSimulation.ts'

const digits = await loadDataset(parseDatasetSpec('digits'), 42)

async function simulate(
  input: SimulationConfigInput,
  tamper?: (clientId: string, reply: unknown) => unknown,
) {
  const config = simulationConfigSchema.parse({
    dataset: 'digits',
    model: 'softmax',
    clients: 8,
    rounds: 4,
    partition: 'dirichlet:0.3',
    training: { epochs: 1, batchSize: 16, learningRate: 0.1, momentum: 0.5 },
    ...input,
  })
  const events: RunEvent[] = []
  const transport = (handlers: ReadonlyMap<string, MessageHandler>) =>
    createMemoryTransport({
      handlers: new Map(
        [...handlers].map(([id, h]) => [
          id,
          { handle: async (m: unknown) => (tamper ? tamper(id, await h.handle(m)) : h.handle(m)) },
        ]),
      ),
    })
  const result = await runSimulation({
    runId: 'strategies',
    plan: planFederatedRun(config),
    data: digits,
    createTransport: transport,
    emit: (e) => events.push(e),
    now: () => 0,
  })
  return { result, events }
}

describe('every strategy through the round driver (runSimulation, label-skewed digits)', () => {
  // The adaptive optimisers move each coordinate by at most about lr per round (less while
  // m builds up, and ever less under Adagrad's growing v): 4 rounds at the defaults are too
  // few to learn, so these runs give them larger steps.
  const specOf = (name: string) =>
    name === 'fedadagrad'
      ? 'fedadagrad:lr=1'
      : ['fedadam', 'fedyogi'].includes(name)
        ? `${name}:lr=0.1`
        : name
  for (const name of STRATEGY_NAMES.filter((s) => s !== 'fedsgd'))
    it(`${specOf(name)} trains: every reply accepted, accuracy well above chance`, async () => {
      const { result, events } = await simulate({ strategy: specOf(name) })
      assert.equal(result.history.length, 4)
      assert.ok(result.history.every((r) => r.accepted === 8))
      assert.equal(events.filter((e) => e.type === 'update-rejected').length, 0)
      const started = events.find((e) => e.type === 'run-started') as { strategy: string }
      assert.equal(started.strategy, name)
      // Ten classes: chance is 10 %.
      assert.ok(result.final.accuracy! > 0.6, `${name}: ${result.final.accuracy}`)
    })

  it('SCAFFOLD: attackers send well-formed replies; a reply without its Δcᵢ is rejected, named', async () => {
    const attacked = await simulate({
      strategy: 'scaffold',
      attackers: { 'do-2': 'sign-flip', 'do-5': 'free-rider' },
    })
    assert.equal(attacked.events.filter((e) => e.type === 'update-rejected').length, 0)
    const { events, result } = await simulate({ strategy: 'scaffold' }, (clientId, reply) => {
      if (clientId !== 'do-3') return reply
      const { controlDelta: _, ...rest } = reply as Record<string, unknown>
      return rest
    })
    const rejected = events.filter((e) => e.type === 'update-rejected') as {
      clientId: string
      reason: string
    }[]
    assert.equal(rejected.length, 4)
    for (const r of rejected) {
      assert.equal(r.clientId, 'do-3')
      assert.match(r.reason, /reply carries no controlDelta, but the round sent a control variate/)
    }
    assert.ok(result.history.every((r) => r.accepted === 7))
  })

  it('a controlDelta nobody asked for is rejected too', async () => {
    const { events } = await simulate({ strategy: 'fedavg', rounds: 1 }, (clientId, reply) =>
      clientId === 'do-0' ? { ...(reply as object), controlDelta: new Float64Array(650) } : reply,
    )
    const rejected = events.filter((e) => e.type === 'update-rejected') as { reason: string }[]
    assert.equal(rejected.length, 1)
    assert.match(
      rejected[0]!.reason,
      /reply carries controlDelta, but the round sent no control variate/,
    )
  })
})
