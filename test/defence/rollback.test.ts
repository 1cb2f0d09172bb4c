import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createMemoryTransport } from '../../src/adapters/transport/index.ts'
import { createAdrm } from '../../src/core/adrm/createAdrm.ts'
import { parseAdrmSpec } from '../../src/core/adrm/parseAdrmSpec.ts'
import { stratifiedSplit } from '../../src/core/data/stratifiedSplit.ts'
import { DEFAULT_SYNTHETIC_OPTIONS, generateSynthetic } from '../../src/core/data/synthetic.ts'
import type { RunEvent } from '../../src/core/events/runEvent.ts'
import { createFedAvg } from '../../src/core/fl/createFedAvg.ts'
import { createTrainingClient } from '../../src/core/fl/createTrainingClient.ts'
import { serverMessageSchema } from '../../src/core/fl/messages.ts'
import { partitionClients } from '../../src/core/fl/partitionClients.ts'
import { evaluateModel } from '../../src/core/metrics/evaluateModel.ts'
import { createModel, parseModelSpec } from '../../src/core/model/createModel.ts'
import type { MessageHandler } from '../../src/core/ports/transport.ts'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'
import { createAdrmStages } from '../../src/runtime/defence/createAdrmStages.ts'
import { runFederation } from '../../src/runtime/runFederation.ts'

const data = generateSynthetic(
  { ...DEFAULT_SYNTHETIC_OPTIONS, devices: 6, samplesPerDevice: 300, testSamplesPerDevice: 50 },
  createSeededRng(1),
)
const { train, test: validation } = stratifiedSplit(data.train, 0.2, createSeededRng(9))
const model = createModel(parseModelSpec('softmax', train.d, train.numClasses))
const training = { epochs: 1, batchSize: 16, learningRate: 0.05, momentum: 0.9 }

/** Trains honestly, then from round `from` replaces the model: sends −factor × its update. */
function replacer(inner: MessageHandler, from: number, factor: number): MessageHandler {
  return {
    async handle(message) {
      const reply = (await inner.handle(message)) as { vector: Float64Array }
      const fit = serverMessageSchema.parse(message)
      if (fit.round < from) return reply
      const vector = new Float64Array(fit.params.length)
      for (let j = 0; j < vector.length; j++)
        vector[j] = fit.params[j]! - factor * (reply.vector[j]! - fit.params[j]!)
      return { ...reply, vector }
    },
  }
}

async function run(spec: string, attackFrom: number) {
  const partition = partitionClients(train, 6, 'iid', createSeededRng(2))
  const handlers = new Map<string, MessageHandler>(
    partition.clients.map((c) => {
      const honest = createTrainingClient({ clientId: c.id, model, data: c.data, seed: 3 })
      return [c.id, c.id === 'do-0' ? replacer(honest, attackFrom, 40) : honest]
    }),
  )
  const events: RunEvent[] = []
  const emit = (e: RunEvent) => events.push(e)
  const stages = createAdrmStages({
    runId: 't',
    adrm: createAdrm(parseAdrmSpec(spec), createSeededRng(5)),
    model,
    validation,
    labels: { kind: 'none' },
    emit,
    now: () => 0,
  })
  const models: Float64Array[] = []
  const result = await runFederation({
    runId: 't',
    strategy: createFedAvg({ sampling: { fraction: 1, minClients: 1 }, training }),
    transport: createMemoryTransport({ handlers }),
    clients: [...handlers.keys()],
    rounds: 5,
    initialParams: model.init(createSeededRng(4)),
    evaluate: (params) => {
      models.push(Float64Array.from(params))
      return evaluateModel(model, params, data.test)
    },
    rng: createSeededRng(6),
    stages: {
      ...stages,
      async publish(round, params) {
        if (round === 0) stages.start(params)
      },
    },
    emit,
    now: () => 0,
  })
  return { events, models, result, stages }
}

// Detection off (cross-client statistics need more updates than there are; no norm
// ratio bound, no forest): only the model manager stands between the attack and the model.
const managerOnly = 'adrm:min-updates=100,ratio=0,iforest=off,rollback=5'

describe('ADRM model manager', () => {
  it('rolls a model replacement back in the same round and restores the earlier version exactly', async () => {
    const { events, models } = await run(managerOnly, 4)
    const rollbacks = events.filter((e) => e.type === 'model-rolled-back')
    assert.equal(rollbacks.length, 2, 'rounds 4 and 5 are both replaced and both rolled back')
    const first = rollbacks[0]!
    assert.equal(first.type === 'model-rolled-back' && first.round, 4)
    if (first.type !== 'model-rolled-back') return
    assert.ok(first.accuracyBefore - first.accuracyAfter > 0.05, JSON.stringify(first))
    assert.equal(first.toVersion, 3, 'version 3 (after round 3) is restored')
    // The model evaluated after round 4 is exactly the one after round 3.
    assert.deepEqual(models[3], models[2])
    assert.deepEqual(models[4], models[2])
  })

  it('without the attack nothing is rolled back and the model keeps improving', async () => {
    const { events, result } = await run(managerOnly, 99)
    assert.equal(events.filter((e) => e.type === 'model-rolled-back').length, 0)
    assert.ok(result.final.accuracy! > 0.8, `accuracy ${result.final.accuracy}`)
  })

  it('the same attack without the model manager destroys the model (the test can fail)', async () => {
    const { models } = await run('adrm:min-updates=100,ratio=0,iforest=off,rollback=100', 4)
    const before = evaluateModel(model, models[2]!, validation).accuracy!
    const after = evaluateModel(model, models[3]!, validation).accuracy!
    assert.ok(before - after > 0.05, `accuracy ${before} → ${after}`)
  })
})
