import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import { modelDigest } from '../../src/adapters/ledger-evm/index.ts'
import { createCsprng } from '../../src/adapters/random/index.ts'
import { createNodeSecaggCrypto } from '../../src/adapters/secagg-crypto/index.ts'
import { createMemoryTransport } from '../../src/adapters/transport/index.ts'
import { createRunLedger } from '../../src/cli/msfl/createRunLedger.ts'
import type { DatasetSplit } from '../../src/core/data/dataset.ts'
import type { RunEvent } from '../../src/core/events/runEvent.ts'
import { createModel } from '../../src/core/model/createModel.ts'
import type { MessageHandler } from '../../src/core/ports/transport.ts'
import { type PlainRunPlan, planFederatedRun } from '../../src/runtime/config/planRun.ts'
import { simulationConfigSchema } from '../../src/runtime/config/simulationConfig.ts'
import { holdOutValidation } from '../../src/runtime/defence/holdOutValidation.ts'
import { createOwnerParticipant } from '../../src/runtime/deploy/createOwnerParticipant.ts'
import { createVerifierParticipant } from '../../src/runtime/deploy/createVerifierParticipant.ts'
import { serveFederation } from '../../src/runtime/deploy/serveFederation.ts'
import { planPopulation } from '../../src/runtime/planPopulation.ts'
import { resolveModelSpec } from '../../src/runtime/resolveModelSpec.ts'
import { runSimulation } from '../../src/runtime/runSimulation.ts'
import { loadAdultSlice } from '../helpers/adultSlice.ts'

const crypto = createNodeSecaggCrypto()
let adult: DatasetSplit

function planOf(verify: string): PlainRunPlan {
  const config = simulationConfigSchema.parse({
    dataset: 'adult',
    model: 'logistic',
    clients: 4,
    rounds: 2,
    seed: 5,
    verify,
  })
  return planFederatedRun(config) as PlainRunPlan
}

/**
 * The job deployed with every verifier node a participant of its own, reached only through
 * the provider's transport (as the verifier processes are), the owners holding the rows
 * their simulated twins hold.
 */
function deploy(
  plan: PlainRunPlan,
  wrapVerifier: (id: string, handler: MessageHandler) => MessageHandler = (_, h) => h,
) {
  const held = holdOutValidation(plan.defences, plan.basics.seed, adult)
  const { partition, owners } = planPopulation(plan.basics, held.data.train)
  const model = createModel(resolveModelSpec(plan.basics.model, adult.test))
  const handlers = new Map<string, MessageHandler>()
  for (const c of partition.clients)
    handlers.set(
      c.id,
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
  const verifiers = Array.from({ length: plan.defences!.verify!.nodes }, (_, i) => {
    const id = `verifier-${i + 1}`
    const participant = createVerifierParticipant({ runId: 'deployed', nodeId: id })
    handlers.set(id, wrapVerifier(id, participant))
    return participant
  })
  const events: RunEvent[] = []
  const served = serveFederation({
    runId: 'deployed',
    plan,
    owners,
    transport: createMemoryTransport({ handlers }),
    test: adult.test,
    scaling: adult.scaling,
    crypto,
    aggregationRng: createCsprng(),
    verification: {
      validation: held.validation!,
      csprng: createCsprng,
      createLocalTransport: (local) => createMemoryTransport({ handlers: local }),
    },
    emit: (e) => events.push(e),
    now: () => 0,
  })
  return { served, verifiers, events }
}

describe('serveFederation with verifier nodes as participants of their own', () => {
  before(async () => {
    adult = await loadAdultSlice(3000, 800)
  })

  it('verifies every local model on shares and trains the model the in-process run trains', async () => {
    const plan = planOf('smpc:samples=200')
    const simulated = await runSimulation({
      runId: 'deployed',
      plan,
      data: adult,
      createTransport: (handlers) => createMemoryTransport({ handlers }),
      secaggCrypto: crypto,
      defences: {
        createLedger: (spec) => createRunLedger(spec, new Uint8Array(32).fill(3)),
        modelDigest,
        csprng: createCsprng,
        createTransport: (handlers) => createMemoryTransport({ handlers }),
      },
      emit: () => {},
      now: () => 0,
    })
    const { served, verifiers, events } = deploy(plan)
    const result = await served
    assert.deepEqual(result.params, simulated.params)
    const verified = events.filter((e) => e.type === 'model-verified')
    assert.equal(verified.length, 2 * 4, 'every owner’s model, every round')
    assert.equal(events.filter((e) => e.type === 'verifier-outvoted').length, 0)
    for (const v of verifiers) assert.equal((await v.ended).outcome, 'completed')
  })

  it('a verifier process that lies about the aggregate is outvoted and the run goes on', async () => {
    const { served, events } = deploy(planOf('smpc:samples=200'), (id, handler) =>
      id !== 'verifier-2'
        ? handler
        : {
            async handle(message) {
              const reply = (await handler.handle(message)) as Record<string, unknown>
              const result =
                reply?.['type'] === 'smpc-relay'
                  ? (reply['reply'] as Record<string, unknown>)
                  : reply
              if (result?.['type'] === 'smpc-result') {
                const aggregate = Int32Array.from(result['aggregate'] as Int32Array)
                aggregate[0] = aggregate[0]! + 12_345
                result['aggregate'] = aggregate
              }
              return reply
            },
          },
    )
    await served
    const outvoted = events.filter((e) => e.type === 'verifier-outvoted')
    assert.deepEqual(
      outvoted.map((e) => (e as Extract<RunEvent, { type: 'verifier-outvoted' }>).nodeId),
      ['verifier-2', 'verifier-2'],
    )
  })

  it('a verifier that pushes as another node fails the round at the relay, nothing delivered', async () => {
    let forged = 0
    const { served, events } = deploy(planOf('smpc:samples=200'), (id, handler) =>
      id !== 'verifier-3'
        ? handler
        : {
            async handle(message) {
              const reply = (await handler.handle(message)) as {
                type: string
                sends?: { message: { from: string } }[]
              }
              if (reply.type === 'smpc-relay' && reply.sends) {
                forged += 1
                for (const send of reply.sends) send.message.from = 'verifier-1'
              }
              return reply
            },
          },
    )
    await assert.rejects(served, /relay: verifier-3 asked to relay a push claiming to come from/)
    assert.equal(forged, 1, 'the round stopped at the first forged relay')
    const failed = events.find((e) => e.type === 'run-failed')
    assert.ok(failed, 'the run reports its failure')
  })

  it('refuses secret validation data, and ADRM without its chain, naming why', async () => {
    await assert.rejects(
      deploy(planOf('smpc:samples=200,validation=secret')).served,
      /validation=secret needs a dealer the provider is not/,
    )
    const adrm = planFederatedRun(
      simulationConfigSchema.parse({
        dataset: 'adult',
        model: 'logistic',
        clients: 4,
        rounds: 1,
        defence: 'adrm',
        verify: 'smpc',
      }),
    ) as PlainRunPlan
    await assert.rejects(
      deploy(adrm).served,
      /defence: the provider was given no ledger or validation rows for ADRM/,
    )
  })

  it('a verifier answers only its own run’s sessions and only SMPC messages', async () => {
    const verifier = createVerifierParticipant({ runId: 'deployed', nodeId: 'verifier-1' })
    await assert.rejects(
      verifier.handle({ type: 'smpc-advance', session: 'other-round-1', step: 0 }),
      /not a round of deployed/,
    )
    await assert.rejects(
      verifier.handle({ type: 'fit', runId: 'deployed' }),
      /a verifier does not answer "fit"/,
    )
    await assert.rejects(
      verifier.handle({ type: 'smpc-advance', session: 'deployed-round-1', step: 0 }),
      /no session set up/,
    )
  })
})
