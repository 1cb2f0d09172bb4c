import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import { createMemoryTransport } from '../../src/adapters/transport/index.ts'
import { msflAdapters } from '../../src/cli/executeMsflSimulation.ts'
import { createProtection } from '../../src/cli/privacy/createProtection.ts'
import type { DatasetSplit } from '../../src/core/data/dataset.ts'
import { DEFAULT_SYNTHETIC_OPTIONS, generateSynthetic } from '../../src/core/data/synthetic.ts'
import type { RunEvent } from '../../src/core/events/runEvent.ts'
import type { MessageHandler } from '../../src/core/ports/transport.ts'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'
import { planFederatedRun, planMsflRun } from '../../src/runtime/config/planRun.ts'
import { simulationConfigSchema } from '../../src/runtime/config/simulationConfig.ts'
import type { StartTimer } from '../../src/runtime/rounds/collectReplies.ts'
import { runMsflSimulation } from '../../src/runtime/runMsflSimulation.ts'
import { runSimulation } from '../../src/runtime/runSimulation.ts'
import { loadAdultSlice } from '../helpers/adultSlice.ts'

/** A participant that accepts the request and never answers. */
const silent: MessageHandler = { handle: () => new Promise(() => {}) }
/** Answers the job's feature-scaling agreement (SecAgg and feature-*), then nothing. */
const silentInRounds = (h: MessageHandler): MessageHandler => ({
  handle: (message) => {
    const type = String((message as { type?: unknown }).type)
    return /^(secagg-|feature-)/.test(type) ? h.handle(message) : silent.handle(message)
  },
})

const synthetic = generateSynthetic(
  { ...DEFAULT_SYNTHETIC_OPTIONS, devices: 4, samplesPerDevice: 150, testSamplesPerDevice: 40 },
  createSeededRng(1),
)

/** A plain or protected simulation in which `mute` never answers; deadline in seconds. */
async function simulate(overrides: Record<string, unknown>, mute: readonly string[]) {
  const events: RunEvent[] = []
  const result = await runSimulation({
    runId: 'stragglers',
    plan: planFederatedRun(
      simulationConfigSchema.parse({
        dataset: 'synthetic',
        model: 'softmax',
        clients: 4,
        rounds: 2,
        deadline: 0.5,
        ...overrides,
      }),
    ),
    data: synthetic,
    createTransport: (handlers) =>
      createMemoryTransport({
        handlers: new Map([...handlers].map(([id, h]) => [id, mute.includes(id) ? silent : h])),
      }),
    createProtection,
    emit: (e) => events.push(e),
    now: () => 0,
  })
  return { result, events }
}

function straggled(events: readonly RunEvent[]) {
  return events.flatMap((e) => (e.type === 'participant-straggled' ? [[e.round, e.clientId]] : []))
}

describe('a participant that never answers', () => {
  it('plain FedAvg: the round ends at the deadline and records it as a straggler', {
    timeout: 60_000,
  }, async () => {
    const { result, events } = await simulate({}, ['do-2'])
    assert.deepEqual(
      result.history.map((r) => [r.accepted, r.stragglers]),
      [
        [3, ['do-2']],
        [3, ['do-2']],
      ],
    )
    assert.deepEqual(straggled(events), [
      [1, 'do-2'],
      [2, 'do-2'],
    ])
    assert.equal(events.at(-1)!.type, 'run-completed')
  })

  it('plain FedAvg: nobody answers → a clear failure naming the stragglers, not a hang', {
    timeout: 60_000,
  }, async () => {
    await assert.rejects(
      simulate({}, ['do-0', 'do-1', 'do-2', 'do-3']),
      /round 1: no client returned a valid update; no reply within 500 ms from do-0, do-1, do-2, do-3/,
    )
  })

  it('protected (CKKS): the silent owner is a straggler and the others are summed', {
    timeout: 120_000,
  }, async () => {
    const { result, events } = await simulate({ privacy: 'ckks', deadline: 2 }, ['do-0'])
    assert.deepEqual(
      result.history.map((r) => [r.accepted, r.stragglers]),
      [
        [3, ['do-0']],
        [3, ['do-0']],
      ],
    )
    assert.deepEqual(straggled(events), [
      [1, 'do-0'],
      [2, 'do-0'],
    ])
  })
})

describe('a data owner that never answers under MS-FL', () => {
  let adult: DatasetSplit
  before(async () => {
    adult = await loadAdultSlice(2000, 1000)
  })

  it('the round ends at its deadline, the straggler is recorded and not paid', {
    timeout: 300_000,
  }, async () => {
    // The deadline fires once the four other owners have answered: no wall-clock race.
    let answered = 0
    let expire: (() => void) | undefined
    const startTimer: StartTimer = () => ({
      expired: new Promise<void>((resolve) => {
        expire = resolve
      }),
      cancel: () => {},
    })
    const events: RunEvent[] = []
    const result = await runMsflSimulation({
      runId: 'msfl-straggler',
      plan: planMsflRun(
        simulationConfigSchema.parse({
          dataset: 'adult',
          protocol: 'msfl',
          clients: 5,
          rounds: 2,
          ledger: 'memory',
          msfl: { batchSize: 64 },
        }),
      ),
      data: adult,
      adapters: {
        ...msflAdapters,
        createTransport: (handlers) =>
          createMemoryTransport({
            handlers: new Map(
              [...handlers].map(([id, h]): [string, MessageHandler] => {
                // do-3 takes part in the feature-scaling agreement, then never answers a round.
                if (id === 'do-3') return [id, silentInRounds(h)]
                if (!id.startsWith('do-')) return [id, h]
                return [
                  id,
                  {
                    async handle(message) {
                      const reply = await h.handle(message)
                      answered += 1
                      if (answered % 4 === 0) setImmediate(() => expire?.())
                      return reply
                    },
                  },
                ]
              }),
            ),
          }),
      },
      startTimer,
      emit: (e) => events.push(e),
      now: () => 0,
    })
    assert.deepEqual(
      result.history.map((r) => [r.accepted, r.stragglers, r.excluded]),
      [
        [4, ['do-3'], ['do-3']],
        [4, ['do-3'], ['do-3']],
      ],
    )
    assert.deepEqual(straggled(events), [
      [1, 'do-3'],
      [2, 'do-3'],
    ])
    const paid = new Set(events.flatMap((e) => (e.type === 'payment-made' ? [e.clientId] : [])))
    assert.ok(!paid.has('do-3'), 'a straggler is not paid')
    assert.ok(paid.size > 0)
  })
})
