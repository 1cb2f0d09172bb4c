import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createMemoryTransport } from '../../src/adapters/transport/index.ts'
import { DEFAULT_SYNTHETIC_OPTIONS, generateSynthetic } from '../../src/core/data/synthetic.ts'
import type { RunEvent } from '../../src/core/events/runEvent.ts'
import { createFedAvg } from '../../src/core/fl/createFedAvg.ts'
import { createFedSgd } from '../../src/core/fl/createFedSgd.ts'
import { createTrainingClient } from '../../src/core/fl/createTrainingClient.ts'
import { partitionClients } from '../../src/core/fl/partitionClients.ts'
import { evaluateModel } from '../../src/core/metrics/evaluateModel.ts'
import { createModel, parseModelSpec } from '../../src/core/model/createModel.ts'
import type { MessageHandler } from '../../src/core/ports/transport.ts'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'
import { runFederation } from '../../src/runtime/runFederation.ts'

const data = generateSynthetic(
  { ...DEFAULT_SYNTHETIC_OPTIONS, devices: 6, samplesPerDevice: 200, testSamplesPerDevice: 50 },
  createSeededRng(1),
)
const model = createModel(parseModelSpec('softmax', data.train.d, data.train.numClasses))
const training = { epochs: 1, batchSize: 16, learningRate: 0.05, momentum: 0.9 }

function honestHandlers(count: number): Map<string, MessageHandler> {
  const partition = partitionClients(data.train, count, 'iid', createSeededRng(2))
  return new Map(
    partition.clients.map((c) => [
      c.id,
      createTrainingClient({ clientId: c.id, model, data: c.data, seed: 3 }),
    ]),
  )
}

async function run(
  handlers: Map<string, MessageHandler>,
  rounds = 3,
  strategy = createFedAvg({ sampling: { fraction: 1, minClients: 1 }, training }),
) {
  const events: RunEvent[] = []
  const result = await runFederation({
    runId: 'test',
    strategy,
    transport: createMemoryTransport({ handlers }),
    clients: [...handlers.keys()],
    rounds,
    initialParams: model.init(createSeededRng(4)),
    evaluate: (params) => evaluateModel(model, params, data.test),
    rng: createSeededRng(5),
    emit: (e) => events.push(e),
    now: () => 0,
  })
  return { result, events }
}

describe('runFederation', () => {
  it('trains to high accuracy and emits the full event sequence', async () => {
    const { result, events } = await run(honestHandlers(4))
    assert.ok(result.final.accuracy! > 0.85, `accuracy ${result.final.accuracy}`)
    assert.equal(result.history.length, 3)
    const types = events.map((e) => e.type)
    assert.deepEqual(types.slice(0, 6), [
      'round-started',
      'update-received',
      'update-received',
      'update-received',
      'update-received',
      'round-completed',
    ])
    assert.equal(types.at(-1), 'run-completed')
    assert.ok(
      result.history.every((r) => r.bytesSent > model.numParams * 8 * 4),
      'byte counts are real wire sizes',
    )
    // events are plain values that survive JSON (they feed the JSON-lines log)
    assert.deepEqual(JSON.parse(JSON.stringify(events)), events)
  })

  it('rejects malformed, impersonating, stale, non-finite and failing replies and keeps going', async () => {
    const handlers = honestHandlers(3)
    const liar = (
      reply: (m: { round: number; params: Float64Array }) => unknown,
    ): MessageHandler => ({
      handle: async (m) => reply(m as { round: number; params: Float64Array }),
    })
    const good = (id: string, m: { round: number; params: Float64Array }) => ({
      type: 'fit-result',
      round: m.round,
      clientId: id,
      kind: 'params',
      vector: m.params,
      numExamples: 10,
      trainLoss: 0,
    })
    handlers.set(
      'bad-shape',
      liar(() => ({ hello: 'world' })),
    )
    handlers.set(
      'bad-length',
      liar((m) => ({ ...good('bad-length', m), vector: new Float64Array(3) })),
    )
    handlers.set(
      'impostor',
      liar((m) => good('do-0', m)),
    )
    handlers.set(
      'stale',
      liar((m) => ({ ...good('stale', m), round: m.round - 1 || 99 })),
    )
    handlers.set(
      'nan',
      liar((m) => ({
        ...good('nan', m),
        vector: m.params.map((v, j) => (j === 5 ? Number.NaN : v)),
      })),
    )
    handlers.set(
      'huge-weight',
      liar((m) => ({ ...good('huge-weight', m), numExamples: -5 })),
    )
    handlers.set(
      'thrower',
      liar(() => {
        throw new Error('disk on fire')
      }),
    )
    handlers.set(
      'unserialisable',
      liar(() => ({ type: 'fit-result', when: new Date() })),
    )
    const { result, events } = await run(handlers, 2)
    const rejected = events.filter((e) => e.type === 'update-rejected')
    const reasons = new Map(rejected.map((e) => [e.clientId, e.reason]))
    assert.equal(rejected.length, 16, 'eight bad clients rejected in each of two rounds')
    assert.match(reasons.get('bad-shape')!, /malformed reply/)
    assert.match(reasons.get('bad-length')!, /3 values, expected/)
    assert.match(reasons.get('impostor')!, /claims to come from "do-0"/)
    assert.match(reasons.get('stale')!, /for round/)
    assert.match(reasons.get('nan')!, /vector\[5\] is NaN/)
    assert.match(reasons.get('huge-weight')!, /numExamples/)
    assert.match(reasons.get('thrower')!, /disk on fire/)
    assert.match(reasons.get('unserialisable')!, /Date instance/)
    assert.ok(result.history.every((r) => r.accepted === 3 && r.selected === 11))
    assert.ok(result.final.accuracy! > 0.8)
  })

  it('fails the run clearly when no client returns a valid update', async () => {
    const handlers = new Map<string, MessageHandler>([
      ['x', { handle: async () => ({ type: 'error', clientId: 'x', message: 'no' }) }],
    ])
    await assert.rejects(run(handlers, 1), /round 1: no client returned a valid update/)
  })

  it('a client answers a bad instruction with an error reply instead of crashing', async () => {
    const client = createTrainingClient({ clientId: 'do-0', model, data: data.train, seed: 1 })
    const bad = (await client.handle({ type: 'fit', round: 'one' })) as {
      type: string
      message: string
    }
    assert.equal(bad.type, 'error')
    assert.match(bad.message, /invalid instruction: .*round/)
    const reply = (await client.handle({
      type: 'fit',
      runId: 'r',
      round: 1,
      mode: 'params',
      params: new Float64Array(2),
      training,
    })) as { type: string; message: string }
    assert.equal(reply.type, 'error')
    assert.match(reply.message, /params has 2 values/)
  })

  it('FedSGD converges too', async () => {
    const { result } = await run(
      honestHandlers(4),
      30,
      createFedSgd({ sampling: { fraction: 1, minClients: 1 }, training, serverLearningRate: 0.5 }),
    )
    assert.ok(result.final.accuracy! > 0.8, `accuracy ${result.final.accuracy}`)
  })

  it('is deterministic for the same seeds', async () => {
    const a = await run(honestHandlers(4), 2)
    const b = await run(honestHandlers(4), 2)
    assert.deepEqual([...a.result.params], [...b.result.params])
  })
})
