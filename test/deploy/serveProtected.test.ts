import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import { createCsprng } from '../../src/adapters/random/index.ts'
import { createNodeSecaggCrypto } from '../../src/adapters/secagg-crypto/index.ts'
import { createMemoryTransport } from '../../src/adapters/transport/index.ts'
import { createProtection } from '../../src/cli/privacy/createProtection.ts'
import { openDeployedProtection } from '../../src/cli/privacy/deployedProtection.ts'
import type { DatasetSplit } from '../../src/core/data/dataset.ts'
import type { ProtectionTerms } from '../../src/core/deploy/deploymentMessages.ts'
import type { RunEvent } from '../../src/core/events/runEvent.ts'
import { createModel } from '../../src/core/model/createModel.ts'
import type { MessageHandler, ProtocolMessage } from '../../src/core/ports/transport.ts'
import { MIN_SUMMED_UPDATES } from '../../src/core/privacy/createKeyHolder.ts'
import {
  type FederatedRunPlan,
  type ProtectedRunPlan,
  planFederatedRun,
} from '../../src/runtime/config/planRun.ts'
import { simulationConfigSchema } from '../../src/runtime/config/simulationConfig.ts'
import { createOwnerParticipant } from '../../src/runtime/deploy/createOwnerParticipant.ts'
import { serveFederation } from '../../src/runtime/deploy/serveFederation.ts'
import { planPopulation } from '../../src/runtime/planPopulation.ts'
import { resolveModelSpec } from '../../src/runtime/resolveModelSpec.ts'
import { runSimulation } from '../../src/runtime/runSimulation.ts'
import { loadAdultSlice } from '../helpers/adultSlice.ts'

const crypto = createNodeSecaggCrypto()
let adult: DatasetSplit

const planOf = (privacy: string, extra: Record<string, unknown> = {}): FederatedRunPlan =>
  planFederatedRun(
    simulationConfigSchema.parse({
      dataset: 'adult',
      model: 'logistic',
      clients: 4,
      rounds: 2,
      seed: 13,
      privacy,
      ...extra,
    }),
  ) as FederatedRunPlan

/** The job deployed with each owner built as its process builds it, over the memory transport. */
function deploy(
  plan: FederatedRunPlan,
  tamper: (to: string, m: ProtocolMessage) => void = () => {},
  serve = true,
  replies: unknown[] = [],
) {
  const { partition, owners } = planPopulation(plan.basics, adult.train)
  const model = createModel(resolveModelSpec(plan.basics.model, adult.test))
  const hiding = plan.protocol === 'protected' ? plan.privacy.hiding : undefined
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
        ...(hiding
          ? {
              openProtection: (terms: ProtectionTerms) =>
                openDeployedProtection(
                  hiding,
                  {
                    runId: 'deployed',
                    clients: owners,
                    rounds: plan.basics.rounds,
                    minContributors: MIN_SUMMED_UPDATES,
                    referenceExamples: terms.referenceExamples,
                    dropsOut: () => false,
                  },
                  terms.keyHolder,
                  crypto,
                ),
            }
          : {}),
      }),
    )
  const inner = createMemoryTransport({ handlers })
  const events: RunEvent[] = []
  if (!serve) return { served: undefined, handlers, events }
  const served = serveFederation({
    runId: 'deployed',
    plan,
    owners,
    transport: {
      request: async (to, m, o) => {
        tamper(to, m)
        const reply = await inner.request(to, m, o)
        replies.push(reply)
        return reply
      },
      stats: () => inner.stats(),
    },
    test: adult.test,
    scaling: adult.scaling,
    crypto,
    aggregationRng: createCsprng(),
    // Secagg has no key holder whose key could need checking.
    protection: {
      open: openDeployedProtection,
      checkKeyHolder: () => assert.fail('a secagg job has no key holder'),
    },
    emit: (e) => events.push(e),
    now: () => 0,
  })
  return { served, handlers, events }
}

describe('serveFederation with privacy: secagg (each owner a party of its own)', () => {
  before(async () => {
    adult = await loadAdultSlice(3000, 800)
  })

  it('trains the model the in-process secagg run trains; the provider never receives an update', async () => {
    const plan = planOf('secagg')
    const simulated = await runSimulation({
      runId: 'deployed',
      plan,
      data: adult,
      createTransport: (handlers) => createMemoryTransport({ handlers }),
      secaggCrypto: crypto,
      createProtection,
      emit: () => {},
      now: () => 0,
    })
    const sent: ProtocolMessage[] = []
    const replies: unknown[] = []
    const { served, events } = deploy(plan, (_, m) => sent.push(m), true, replies)
    const result = await served!
    assert.deepEqual(result.params, simulated.params)
    assert.deepEqual(
      sent.filter((m) => m.type === 'protection-terms').map((m) => m.type).length,
      4,
      'every owner was told the terms',
    )
    // Only sums: no reply the provider received carries an owner's update.
    const types = new Set(replies.map((r) => (r as { type: string }).type))
    assert.ok(types.has('fit-protected') && types.has('secagg-masked-input'))
    assert.ok(!types.has('fit-result'), 'no plaintext fit-result')
    for (const r of replies)
      if ((r as { type: string }).type === 'fit-protected')
        assert.deepEqual((r as { payload: unknown[] }).payload, [])
    assert.equal(events.filter((e) => e.type === 'update-received').length, 2 * 4)
  })

  it('an owner refuses to train before the terms are set, and changed terms; the same terms again are accepted', async () => {
    const plan = planOf('secagg') as ProtectedRunPlan
    const { handlers } = deploy(plan, () => {}, false)
    const owner = handlers.get('do-0')!
    const fit = {
      type: 'fit',
      runId: 'deployed',
      round: 1,
      mode: 'params',
      params: new Float64Array(0),
    }
    assert.match(
      String(((await owner.handle(fit)) as { message: string }).message),
      /the (feature scaling has not been agreed|protection terms have not been set) yet/,
    )
    const terms = { type: 'protection-terms', runId: 'deployed', referenceExamples: 600 }
    assert.equal(
      ((await owner.handle(terms)) as { type: string }).type,
      'protection-terms-accepted',
    )
    // A restarted provider sends the same terms again: accepted as before.
    assert.equal(
      ((await owner.handle(terms)) as { type: string }).type,
      'protection-terms-accepted',
    )
    // Changed terms mid-run (another reference count) are refused.
    assert.match(
      String(
        ((await owner.handle({ ...terms, referenceExamples: 1 })) as { message: string }).message,
      ),
      /refused mid-run: they differ from the terms accepted/,
    )
    assert.match(
      String(((await owner.handle({ ...terms, runId: 'other' })) as { message: string }).message),
      /not this run/,
    )
  })

  it('refuses what a deployment cannot run, naming the field', async () => {
    await assert.rejects(
      deploy(planOf('secagg', { dropout: 0.25 })).served!,
      /dropout: simulated dropouts have no place in a deployment/,
    )
  })
})
