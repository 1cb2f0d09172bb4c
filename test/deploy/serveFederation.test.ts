import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import { createCsprng } from '../../src/adapters/random/index.ts'
import { createNodeSecaggCrypto } from '../../src/adapters/secagg-crypto/index.ts'
import { createMemoryTransport } from '../../src/adapters/transport/index.ts'
import type { DatasetSplit } from '../../src/core/data/dataset.ts'
import type { DeliverModel } from '../../src/core/deploy/deploymentMessages.ts'
import type { RunEvent } from '../../src/core/events/runEvent.ts'
import { createModel } from '../../src/core/model/createModel.ts'
import type { MessageHandler } from '../../src/core/ports/transport.ts'
import { type PlainRunPlan, planFederatedRun } from '../../src/runtime/config/planRun.ts'
import { simulationConfigSchema } from '../../src/runtime/config/simulationConfig.ts'
import { createOwnerParticipant } from '../../src/runtime/deploy/createOwnerParticipant.ts'
import { createRequestorParticipant } from '../../src/runtime/deploy/createRequestorParticipant.ts'
import { serveFederation } from '../../src/runtime/deploy/serveFederation.ts'
import { planPopulation } from '../../src/runtime/planPopulation.ts'
import { resolveModelSpec } from '../../src/runtime/resolveModelSpec.ts'
import { runSimulation } from '../../src/runtime/runSimulation.ts'
import { loadAdultSlice } from '../helpers/adultSlice.ts'

const config = simulationConfigSchema.parse({
  dataset: 'adult',
  model: 'logistic',
  clients: 5,
  rounds: 2,
  seed: 7,
})
const plan = planFederatedRun(config) as PlainRunPlan
const crypto = createNodeSecaggCrypto()
let adult: DatasetSplit

/** The job deployed on participants built as each process builds its own, over one transport. */
function deploy(tamper: (handlers: Map<string, MessageHandler>) => void = () => {}, serve = true) {
  const { partition, owners } = planPopulation(plan.basics, adult.train)
  const model = createModel(resolveModelSpec(plan.basics.model, adult.test))
  const participants = partition.clients.map((c) =>
    createOwnerParticipant({
      runId: 'deployed',
      clientId: c.id,
      data: c.data,
      scaling: adult.scaling,
      owners: owners.length,
      model,
      seed: plan.basics.seed,
      crypto,
    }),
  )
  const stored: DeliverModel[] = []
  const requestor = createRequestorParticipant({
    runId: 'deployed',
    clientId: 'requestor',
    numParams: model.numParams,
    store: async (m) => {
      stored.push(m)
      return 'ab'.repeat(32)
    },
  })
  const handlers = new Map<string, MessageHandler>(participants.map((h, i) => [owners[i]!, h]))
  handlers.set('requestor', requestor)
  tamper(handlers)
  const events: RunEvent[] = []
  const served = serve
    ? serveFederation({
        runId: 'deployed',
        plan,
        owners,
        transport: createMemoryTransport({ handlers }),
        test: adult.test,
        scaling: adult.scaling,
        crypto,
        aggregationRng: createCsprng(),
        requestor: 'requestor',
        emit: (e) => events.push(e),
        now: () => 0,
      })
    : undefined
  return { served, participants, requestor, stored, events }
}

describe('serveFederation: the provider of a deployed job', () => {
  before(async () => {
    adult = await loadAdultSlice(3000, 800)
  })

  it('trains the model runSimulation trains for the same job, delivers it and ends every participant', async () => {
    const simulated = await runSimulation({
      runId: 'deployed',
      plan,
      data: adult,
      createTransport: (handlers) => createMemoryTransport({ handlers }),
      secaggCrypto: crypto,
      emit: () => {},
      now: () => 0,
    })
    const { served, participants, requestor, stored } = deploy()
    const result = await served!
    assert.deepEqual(result.params, simulated.params)
    assert.equal(result.final.accuracy, simulated.final.accuracy)
    assert.equal(stored.length, 1)
    assert.deepEqual(stored[0]!.params, result.params)
    assert.equal((await requestor.delivered).runId, 'deployed')
    for (const p of participants) assert.equal((await p.ended).outcome, 'completed')
    assert.equal((await requestor.ended).outcome, 'completed')
  })

  it('an owner that lies about its rows fails the run before any round, and everyone is told', async () => {
    const { served, participants, events } = deploy((handlers) => {
      const honest = handlers.get('do-3')!
      handlers.set('do-3', {
        handle: async (m) =>
          (m as { type: string }).type === 'describe-data'
            ? { type: 'data-description', runId: 'deployed', clientId: 'do-1', rows: 10 }
            : honest.handle(m),
      })
    })
    await assert.rejects(served!, /owner do-3 answered describe-data with something else/)
    assert.ok(!events.some((e) => e.type === 'round-started'))
    assert.equal(events.at(-1)!.type, 'run-failed')
    for (const [i, p] of participants.entries())
      if (i !== 2) assert.equal((await p.ended).outcome, 'failed')
  })

  it('an owner refuses to train before the scaling is agreed, and messages of another run', async () => {
    const { participants } = deploy(undefined, false)
    const owner = participants[0]!
    const fit = (runId: string) => ({
      type: 'fit',
      runId,
      round: 1,
      mode: 'params',
      params: new Float64Array(3),
      training: { epochs: 1, batchSize: 8, learningRate: 0.1, momentum: 0 },
    })
    assert.match(
      String(((await owner.handle(fit('deployed'))) as { message: string }).message),
      /scaling has not been agreed/,
    )
    assert.match(
      String(((await owner.handle(fit('other'))) as { message: string }).message),
      /not this run/,
    )
    assert.match(
      String(((await owner.handle({ type: 'deliver-model' })) as { message: string }).message),
      /does not answer "deliver-model"/,
    )
  })

  it('the requestor refuses a model of the wrong size, a non-finite one and a second delivery', async () => {
    const { requestor } = deploy(undefined, false)
    const deliver = (params: Float64Array) =>
      requestor.handle({
        type: 'deliver-model',
        runId: 'deployed',
        model: 'logistic',
        params,
        rounds: 2,
      })
    const size = createModel(resolveModelSpec('logistic', adult.test)).numParams
    assert.match(
      String(((await deliver(new Float64Array(size + 1))) as { message: string }).message),
      /parameters, the job's model has/,
    )
    const bad = new Float64Array(size)
    bad[3] = Number.NaN
    assert.match(String(((await deliver(bad)) as { message: string }).message), /not finite/)
    assert.equal(
      ((await deliver(new Float64Array(size))) as { type: string }).type,
      'model-received',
    )
    assert.match(
      String(((await deliver(new Float64Array(size))) as { message: string }).message),
      /already delivered/,
    )
  })
})
