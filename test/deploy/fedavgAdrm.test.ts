import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createInProcessChain, type Hex, modelDigest } from '../../src/adapters/ledger-evm/index.ts'
import type { ProcessLog } from '../../src/adapters/logging/index.ts'
import { openStartupKit, type StartupKit } from '../../src/adapters/pki/index.ts'
import { createCsprng } from '../../src/adapters/random/index.ts'
import { createNodeSecaggCrypto } from '../../src/adapters/secagg-crypto/index.ts'
import { createMemoryTransport } from '../../src/adapters/transport/index.ts'
import { loadAnyJob } from '../../src/cli/deploy/loadJob.ts'
import { ledgerPartyOn } from '../../src/cli/deploy/openLedgerParty.ts'
import { prepareLocalFederation } from '../../src/cli/deploy/prepareLocalFederation.ts'
import { createRunLedger } from '../../src/cli/msfl/createRunLedger.ts'
import type { DatasetSplit } from '../../src/core/data/dataset.ts'
import type { RunEvent } from '../../src/core/events/runEvent.ts'
import { createModel } from '../../src/core/model/createModel.ts'
import type { MessageHandler } from '../../src/core/ports/transport.ts'
import { type PlainRunPlan, planFederatedRun } from '../../src/runtime/config/planRun.ts'
import { simulationConfigSchema } from '../../src/runtime/config/simulationConfig.ts'
import { holdOutValidation } from '../../src/runtime/defence/holdOutValidation.ts'
import { createOwnerParticipant } from '../../src/runtime/deploy/createOwnerParticipant.ts'
import { createOwnerPayment } from '../../src/runtime/deploy/createOwnerPayment.ts'
import { createRequestorParticipant } from '../../src/runtime/deploy/createRequestorParticipant.ts'
import { createRequestorPayment } from '../../src/runtime/deploy/createRequestorPayment.ts'
import { serveFederation } from '../../src/runtime/deploy/serveFederation.ts'
import { planPopulation } from '../../src/runtime/planPopulation.ts'
import { resolveModelSpec } from '../../src/runtime/resolveModelSpec.ts'
import { runSimulation } from '../../src/runtime/runSimulation.ts'
import { loadAdultSlice } from '../helpers/adultSlice.ts'

const OWNERS = 5
const OWNERS_FULL = Array.from({ length: OWNERS }, () => 100)
const settings = {
  dataset: 'adult',
  model: 'logistic',
  clients: OWNERS,
  rounds: 2,
  seed: 7,
  defence: 'adrm',
  ledger: 'memory',
}
/** The simulation: one of the five owners flips the sign of its update (seeded, as `msfl simulate`). */
const simulatedPlan = planFederatedRun(
  simulationConfigSchema.parse({ ...settings, attack: 'sign-flip', malicious: 0.2 }),
) as PlainRunPlan
/** The deployed job: no attack settings (a deployment has none), the same seed and defence. */
const deployedPlan = planFederatedRun(simulationConfigSchema.parse(settings)) as PlainRunPlan
const runId = 'job-adrmfedavg0000'
const crypto = createNodeSecaggCrypto()
const quietLog: ProcessLog = { info: () => {}, warn: () => {}, error: () => {} }

/** Flagged owners per round, from a run's `update-flagged` events. */
function flaggedByRound(events: readonly RunEvent[]): Record<number, string[]> {
  const out: Record<number, string[]> = {}
  for (const e of events) {
    if (e.type !== 'update-flagged') continue
    out[e.round] = [...(out[e.round] ?? []), e.clientId].sort()
  }
  return out
}

const decided = (events: readonly RunEvent[], type: RunEvent['type']) =>
  events
    .filter((e) => e.type === type)
    .map((e) => `${(e as { round: number }).round}:${(e as { clientId: string }).clientId}`)
    .sort()

/**
 * A sign-flipping owner, as a real adversary in a deployment is: an owner participant that
 * trains honestly and sends global − (its update) instead (core/attacks/craftUpdate.ts with
 * sign-flip's default scale 1: what the simulated attacker sends).
 */
function signFlipping(honest: MessageHandler): MessageHandler {
  return {
    async handle(message) {
      const reply = await honest.handle(message)
      const m = message as { type?: unknown; params?: Float64Array }
      const r = reply as { type?: unknown; vector?: Float64Array }
      if (m.type !== 'fit' || r?.type !== 'fit-result' || !r.vector || !m.params) return reply
      const global = m.params
      return { ...r, vector: global.map((g, j) => g - (r.vector![j]! - g)) }
    },
  }
}

/**
 * ADRM in a deployed FedAvg job runs at the provider, on the updates it aggregates, with
 * the simulation's stages; the requestor pays each round by reputation with its own key on
 * the run's chain. Here every party is built as its process builds it (kits, signed
 * addresses, one in-process EVM they share, the memory transport's wire codec) and the
 * attacker is a real adversary: an owner participant wrapped by this test. Nobody is told
 * who attacks.
 */
describe('FedAvg across processes: ADRM at the provider, paid by the requestor on chain', () => {
  let root: string
  let adult: DatasetSplit
  let kits: { requestor: StartupKit; provider: StartupKit; owners: StartupKit[] }
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'msfl-fedavg-adrm-'))
    adult = await loadAdultSlice(3000, 800)
    const federation = await prepareLocalFederation({
      dir: join(root, 'fed'),
      owners: OWNERS,
      rounds: 2,
      dataset: 'adult',
      model: 'logistic',
      seed: 7,
      host: '127.0.0.1',
    })
    kits = {
      requestor: await openStartupKit(federation.requestorKit),
      provider: await openStartupKit(federation.providerKit),
      owners: await Promise.all(federation.owners.map((o) => openStartupKit(o.kit))),
    }
  })
  after(async () => {
    await rm(root, { recursive: true, force: true })
  })

  /**
   * The job deployed on parties built as their processes build them, sharing one in-process
   * EVM; `attacker` sends its update sign-flipped; `requestorIn` may wrap the requestor.
   */
  async function deploy(
    attacker: string,
    requestorIn: (handler: MessageHandler) => MessageHandler = (h) => h,
  ) {
    // The same owners hold the same rows as in simulation (the validation rows held back).
    const held = holdOutValidation(deployedPlan.defences, deployedPlan.basics.seed, adult)
    const { partition, owners } = planPopulation(deployedPlan.basics, held.data.train)
    assert.deepEqual(
      kits.owners.map((k) => k.name),
      owners,
    )
    const chain = await createInProcessChain({ genesis: [] })
    let contract: string | undefined
    const party = async (kit: StartupKit) => {
      // The provider's log names the contract it deployed.
      const log: ProcessLog = {
        ...quietLog,
        info: (message, fields) => {
          if (message === 'settlement contract deployed') contract = String(fields?.['contract'])
        },
      }
      const ledger = ledgerPartyOn(chain, 'in-process', { kit, runId, log })
      await chain.setBalance(ledger.address as Hex, 10n ** 21n)
      return ledger
    }
    const model = createModel(resolveModelSpec(deployedPlan.basics.model, adult.test))
    const handlers = new Map<string, MessageHandler>()
    const payments = []
    for (const [i, client] of partition.clients.entries()) {
      const payment = createOwnerPayment({
        runId,
        clientId: client.id,
        ledger: await party(kits.owners[i]!),
        spec: model.spec,
        digest: modelDigest,
      })
      payments.push(payment)
      const participant = createOwnerParticipant({
        runId,
        clientId: client.id,
        data: client.data,
        scaling: adult.scaling,
        owners: OWNERS,
        model,
        seed: deployedPlan.basics.seed,
        crypto,
        payment,
      })
      handlers.set(client.id, client.id === attacker ? signFlipping(participant) : participant)
    }
    const requestorPayment = createRequestorPayment({
      runId,
      clientId: kits.requestor.name,
      owners,
      rounds: deployedPlan.basics.rounds,
      pricePerComponent: BigInt(deployedPlan.defences!.pricePerComponent),
      ledger: await party(kits.requestor),
    })
    const requestor = createRequestorParticipant({
      runId,
      clientId: kits.requestor.name,
      numParams: model.numParams,
      store: async () => 'ab'.repeat(32),
      payment: requestorPayment,
    })
    handlers.set(kits.requestor.name, requestorIn(requestor))
    const events: RunEvent[] = []
    const provider = await party(kits.provider)
    const served = serveFederation({
      runId,
      plan: deployedPlan,
      owners,
      // Every request and reply is encoded to bytes and decoded again, as on the network.
      transport: createMemoryTransport({ handlers }),
      test: adult.test,
      scaling: adult.scaling,
      crypto,
      aggregationRng: createCsprng(),
      requestor: kits.requestor.name,
      adrm: { validation: held.validation!, ledger: provider, modelDigest },
      emit: (e) => events.push(e),
      now: () => 0,
    })
    const escrow = () => chain.getBalance(contract as Hex)
    return {
      served,
      events,
      handlers,
      requestor,
      requestorPayment,
      payments,
      owners,
      chain,
      escrow,
    }
  }

  it('a FedAvg job with defence: adrm loads; labels=oracle and a protection that hides updates are refused, naming the field', () => {
    const job = (name: string, extra: Record<string, unknown>) => {
      const file = join(root, name)
      writeFileSync(file, JSON.stringify({ ...settings, ...extra }))
      return file
    }
    const loaded = loadAnyJob(job('adrm.json', {}))
    assert.ok(loaded.plan.protocol === 'plain' && loaded.plan.defences?.adrm)
    assert.throws(
      () => loadAnyJob(job('oracle.json', { defence: 'adrm:labels=oracle' })),
      /defence: adrm:labels=oracle .* a deployment does not know: use labels=none/,
    )
    assert.throws(
      () => loadAnyJob(job('secagg.json', { privacy: 'secagg' })),
      /defence.*needs the individual updates, which privacy secagg hides/,
    )
  })

  it("the provider flags and quarantines the same owner as msfl simulate, with the same reputations and model; the chain pays it nothing and the others what the simulation's ledger pays", {
    timeout: 600_000,
  }, async (t) => {
    const simulatedEvents: RunEvent[] = []
    const simulated = await runSimulation({
      runId,
      plan: simulatedPlan,
      data: adult,
      createTransport: (handlers) => createMemoryTransport({ handlers }),
      secaggCrypto: crypto,
      defences: {
        createLedger: (spec) => createRunLedger(spec, new Uint8Array(32).fill(3)),
        modelDigest,
        csprng: createCsprng,
        createTransport: (handlers) => createMemoryTransport({ handlers }),
      },
      emit: (e) => simulatedEvents.push(e),
      now: () => 0,
    })
    const [attacker, ...more] = [...simulated.attackers.keys()]
    assert.ok(attacker && more.length === 0)

    const {
      served: serving,
      events,
      handlers,
      requestor,
      requestorPayment,
      payments,
      owners,
      chain,
    } = await deploy(attacker)
    try {
      const served = await serving
      const flagged = flaggedByRound(events)
      t.diagnostic(
        `flagged: deployed ${JSON.stringify(flagged)}, simulated ${JSON.stringify(flaggedByRound(simulatedEvents))}; attacker ${attacker}`,
      )
      assert.deepEqual(flagged[1], [attacker])
      assert.deepEqual(flagged, flaggedByRound(simulatedEvents))
      for (const type of ['update-quarantined', 'client-blocked'] as const)
        assert.deepEqual(decided(events, type), decided(simulatedEvents, type), type)
      assert.ok(decided(events, 'update-quarantined').includes(`1:${attacker}`))
      t.diagnostic(
        `quarantined ${decided(events, 'update-quarantined')}, blocked ${decided(events, 'client-blocked')}, reputations ${JSON.stringify(served.defence!.adrm.reputations)}`,
      )
      const defence = served.defence!
      assert.deepEqual(defence.adrm.reputations, simulated.defence!.adrm!.reputations)
      assert.ok(defence.adrm.reputations[attacker]! < 100)
      assert.deepEqual(served.params, simulated.params, 'the model msfl simulate trains')

      // The money, read from the chain's events: the attacker unpaid, the others paid as
      // the simulation's ledger pays them, the deposit all paid out or refunded.
      const { ledger } = defence
      t.diagnostic(
        `payouts on chain: ${Object.entries(ledger.payouts)
          .map(([id, wei]) => `${id}=${wei}`)
          .join(', ')}; deposit ${ledger.deposit}, refund ${ledger.refund}`,
      )
      assert.equal(ledger.payouts[attacker] ?? 0n, 0n, `${attacker} unpaid`)
      for (const id of owners.filter((o) => o !== attacker))
        assert.equal(ledger.payouts[id], simulated.defence!.ledger.payouts[id], `${id} paid`)
      const paid = Object.values(ledger.payouts).reduce((a, b) => a + b, 0n)
      assert.ok(paid > 0n)
      assert.equal(ledger.deposit, paid + ledger.refund)
      assert.equal(ledger.escrowBalance, 0n)
      assert.equal(requestorPayment.deposited(), ledger.deposit, 'the requestor paid the deposit')
      assert.equal(events.filter((e) => e.type === 'model-registered').length, 3)
      assert.ok(events.filter((e) => e.type === 'table-verified').every((e) => e.ok))
      for (const p of payments) assert.ok(p.terms(), 'every owner accepted the terms')
      assert.equal((await requestor.ended).outcome, 'completed')

      // Each owner trains only on the model the provider registered on the chain.
      const honest = handlers.get(owners.find((o) => o !== attacker)!)!
      const fit = (round: number, params: Float64Array) =>
        honest.handle({
          type: 'fit',
          runId,
          round,
          mode: 'params',
          params,
          training: { epochs: 1, batchSize: 32, learningRate: 0.1, momentum: 0 },
        }) as Promise<{ type: string; message?: string }>
      assert.equal((await fit(3, served.params)).type, 'fit-result')
      const tampered = Float64Array.from(served.params, (v, j) => (j === 0 ? v + 1 : v))
      assert.match(
        String((await fit(3, tampered)).message),
        /global model refused: its digest differs from the one registered for round 2/,
      )

      // The requestor refuses a table the job does not allow, whatever the provider asks.
      const ask = async (fields: Record<string, unknown>) =>
        String(
          (
            (await requestor.handle({
              type: 'payment-round',
              runId,
              round: 1,
              owners,
              points: owners.map(() => 100),
              ...fields,
            })) as { message?: string }
          ).message,
        )
      assert.match(await ask({}), /payment-round 1: this round was paid already/)
      assert.match(await ask({ round: 3 }), /the job has 2 rounds/)
      assert.match(
        await ask({ round: 2, owners: [...owners].reverse() }),
        /owners must be the job's/,
      )
      assert.match(await ask({ round: 2, points: owners.map(() => 101) }), /points/)
      assert.match(await ask({ round: 2, points: [100] }), /1 points for 5 owners/)
    } finally {
      await chain.close()
    }
  })

  it('a requestor that commits another table than the provider sent is declined: the round is refunded and the run fails', {
    timeout: 600_000,
  }, async () => {
    // It pays every owner in full, whatever the screen decided (its own money, but not the round's table).
    const generous = (honest: MessageHandler): MessageHandler => ({
      handle: (m) =>
        (m as { type?: unknown }).type === 'payment-round'
          ? honest.handle({ ...(m as object), points: OWNERS_FULL })
          : honest.handle(m),
    })
    const { served, events, chain, escrow } = await deploy('do-3', generous)
    try {
      await assert.rejects(
        served,
        /the requestor opened ledger round 1 with another table than round 1's; declined/,
      )
      assert.equal(events.at(-1)!.type, 'run-failed')
      assert.ok(!events.some((e) => e.type === 'payment-made'), 'nobody paid')
      // The declined deposit went back to the requestor: the contract holds nothing.
      assert.equal(await escrow(), 0n)
    } finally {
      await chain.close()
    }
  })
})
