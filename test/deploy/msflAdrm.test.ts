import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createInProcessChain, type Hex } from '../../src/adapters/ledger-evm/index.ts'
import type { ProcessLog } from '../../src/adapters/logging/index.ts'
import {
  createKitSecaggIdentity,
  openStartupKit,
  type StartupKit,
} from '../../src/adapters/pki/index.ts'
import { createNodeSecaggCrypto } from '../../src/adapters/secagg-crypto/index.ts'
import { createMemoryTransport } from '../../src/adapters/transport/index.ts'
import { isMsflJob, loadAnyJob } from '../../src/cli/deploy/loadJob.ts'
import { signMsflPublicKey, verifyMsflPublicKey } from '../../src/cli/deploy/msflPublicKey.ts'
import { ledgerPartyOn } from '../../src/cli/deploy/openLedgerParty.ts'
import { prepareLocalFederation } from '../../src/cli/deploy/prepareLocalFederation.ts'
import { createOwnersInProcess, msflAdapters } from '../../src/cli/executeMsflSimulation.ts'
import type { DatasetSplit } from '../../src/core/data/dataset.ts'
import type { RunEvent } from '../../src/core/events/runEvent.ts'
import { ownerTrainingData } from '../../src/core/msfl/ownerRounds.ts'
import type { MessageHandler } from '../../src/core/ports/transport.ts'
import { deriveSeed } from '../../src/core/rng/seededRng.ts'
import { planMsflRun } from '../../src/runtime/config/planRun.ts'
import { simulationConfigSchema } from '../../src/runtime/config/simulationConfig.ts'
import { createMsflOwnerParticipant } from '../../src/runtime/deploy/createMsflOwnerParticipant.ts'
import { createMsflRequestorParticipant } from '../../src/runtime/deploy/createMsflRequestorParticipant.ts'
import { serveMsfl } from '../../src/runtime/deploy/serveMsfl.ts'
import { initialMsflWeights } from '../../src/runtime/msfl/initialMsflWeights.ts'
import { planPopulation } from '../../src/runtime/planPopulation.ts'
import { runMsflSimulation } from '../../src/runtime/runMsflSimulation.ts'
import { loadAdultSlice } from '../helpers/adultSlice.ts'

const OWNERS = 7
const settings = {
  dataset: 'adult',
  protocol: 'msfl',
  clients: OWNERS,
  rounds: 2,
  aggregator: 'multi-krum',
  defence: 'adrm',
  msfl: { batchSize: 64, mask: 'global-scale' },
}
/** The simulation: two of the seven owners flip their labels (seeded, as `msfl simulate`). */
const simulatedPlan = planMsflRun(
  simulationConfigSchema.parse({ ...settings, attack: 'label-flip', malicious: 0.29 }),
)
/** The deployed job: no attack settings (a deployment has none), the same seed and defence. */
const deployedPlan = planMsflRun(simulationConfigSchema.parse(settings))

/** Flagged owners per round, from a run's `update-flagged` events. */
function flaggedByRound(events: readonly RunEvent[]): Record<number, string[]> {
  const out: Record<number, string[]> = {}
  for (const e of events) {
    if (e.type !== 'update-flagged') continue
    out[e.round] = [...(out[e.round] ?? []), e.clientId].sort()
  }
  return out
}

const blockedOwners = (events: readonly RunEvent[]) =>
  events
    .filter((e) => e.type === 'client-blocked')
    .map((e) => `${e.round}:${(e as { clientId: string }).clientId}`)
    .sort()

/** Euclidean distance between two weight vectors. */
function distance(a: readonly number[], b: readonly number[]): number {
  return Math.sqrt(a.reduce((sum, x, i) => sum + (x - b[i]!) ** 2, 0))
}

const quietLog: ProcessLog = { info: () => {}, warn: () => {}, error: () => {} }

/**
 * ADRM in an MS-FL deployment runs at the requestor, the party that selects, on the masked
 * gradients it decrypts, with the simulation's code (createMsflScreen). Here the deployed
 * parties are built as their processes build them (kits, signed addresses and public key,
 * one chain they share, the memory transport's wire codec) and the malicious owners are
 * real adversaries: owner participants constructed by this test on label-flipped rows. The
 * requestor is told nothing about who attacks.
 */
describe('MS-FL across processes: ADRM at the requestor', () => {
  let root: string
  let adult: DatasetSplit
  let kits: { requestor: StartupKit; provider: StartupKit; owners: StartupKit[] }
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'msfl-adrm-'))
    adult = await loadAdultSlice(2000, 1000)
    const federation = await prepareLocalFederation({
      dir: join(root, 'fed'),
      owners: OWNERS,
      rounds: 2,
      dataset: 'adult',
      model: 'logistic',
      seed: 42,
      host: '127.0.0.1',
      protocol: 'msfl',
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

  it('a job with defence: adrm loads for the MS-FL commands; adrm:labels=oracle is refused, naming the field', () => {
    const job = (name: string, defence: string) => {
      const file = join(root, name)
      writeFileSync(file, JSON.stringify({ ...settings, defence }))
      return file
    }
    const loaded = loadAnyJob(job('adrm.json', 'adrm'))
    assert.ok(isMsflJob(loaded))
    assert.equal(loaded.plan.defence, 'adrm')
    assert.throws(
      () => loadAnyJob(job('oracle.json', 'adrm:labels=oracle')),
      /defence: adrm:labels=oracle .* a deployment does not know: use labels=none/,
    )
  })

  it('the deployed requestor flags and blocks the same owners as msfl simulate with the same seed; they are paid nothing on chain', {
    timeout: 900_000,
  }, async (t) => {
    // The simulation, as `msfl simulate` runs it (ledger in memory, owners in this thread).
    const simulatedEvents: RunEvent[] = []
    const simulated = await runMsflSimulation({
      runId: 'simulated',
      plan: { ...simulatedPlan, ledger: 'memory' },
      data: adult,
      adapters: { ...msflAdapters, createOwners: createOwnersInProcess },
      emit: (e) => simulatedEvents.push(e),
      now: () => 0,
    })
    const attackers = [...simulated.attackers.keys()].sort()
    assert.equal(attackers.length, 2)

    // The deployment: the same owners hold the same rows; the attackers poison their own.
    const { partition, owners } = planPopulation(deployedPlan.basics, adult.train)
    assert.deepEqual(
      kits.owners.map((k) => k.name),
      owners,
    )
    const runId = 'job-adrm0000000000'
    const chain = await createInProcessChain({ genesis: [] })
    const party = async (kit: StartupKit) => {
      const ledger = ledgerPartyOn(chain, 'in-process', { kit, runId, log: quietLog })
      await chain.setBalance(ledger.address as Hex, 10n ** 21n)
      return ledger
    }
    const evaluatorOf = (kit: StartupKit) => ({
      checkPublicKey: (publicKey: Parameters<typeof verifyMsflPublicKey>[2]) =>
        verifyMsflPublicKey(kit, runId, publicKey),
      createEvaluator: msflAdapters.createEvaluator,
    })
    const slots = msflAdapters.slotsOf(deployedPlan.he)
    const trainingSeed = deriveSeed(deployedPlan.basics.seed, 'training')
    const handlers = new Map<string, MessageHandler>()
    const ownerParticipants = []
    for (const [i, client] of partition.clients.entries()) {
      const attack = simulated.attackers.get(client.id)
      const participant = createMsflOwnerParticipant({
        runId,
        clientId: client.id,
        data: ownerTrainingData(client.data, attack, trainingSeed, client.id),
        scaling: adult.scaling,
        owners: OWNERS,
        seed: deployedPlan.basics.seed,
        batchSize: deployedPlan.msfl.batchSize,
        slots,
        // Each owner signs its SecAgg keys with its kit key, as `msfl owner` does.
        crypto: createNodeSecaggCrypto({
          owner: { clientId: client.id, identity: createKitSecaggIdentity(kits.owners[i]!) },
        }),
        ledger: await party(kits.owners[i]!),
        floodRng: msflAdapters.csprng(),
        ...evaluatorOf(kits.owners[i]!),
      })
      ownerParticipants.push(participant)
      handlers.set(client.id, participant)
    }
    const requestorEvents: RunEvent[] = []
    const requestor = createMsflRequestorParticipant({
      runId,
      clientId: kits.requestor.name,
      plan: deployedPlan,
      owners,
      test: adult.test,
      scaling: adult.scaling,
      slots,
      ledger: await party(kits.requestor),
      createKeys: msflAdapters.createRequestor,
      signPublicKey: (material) => signMsflPublicKey(kits.requestor, runId, material),
      modelDigest: msflAdapters.modelDigest,
      emit: (e) => requestorEvents.push(e),
      now: () => 0,
    })
    handlers.set(kits.requestor.name, requestor)
    const providerEvents: RunEvent[] = []
    try {
      const served = await serveMsfl({
        runId,
        plan: deployedPlan,
        owners,
        requestor: kits.requestor.name,
        // Every request and reply is encoded to bytes and decoded again, as on the network.
        transport: createMemoryTransport({ handlers }),
        test: adult.test,
        scaling: adult.scaling,
        crypto: createNodeSecaggCrypto(),
        slots,
        ledger: await party(kits.provider),
        maskRng: msflAdapters.csprng(),
        digest: msflAdapters.digest,
        emit: (e) => providerEvents.push(e),
        now: () => 0,
        ...evaluatorOf(kits.provider),
      })
      assert.equal(served.history.length, 2)

      const deployedFlags = flaggedByRound(requestorEvents)
      const simulatedFlags = flaggedByRound(simulatedEvents)
      t.diagnostic(
        `flagged: deployed ${JSON.stringify(deployedFlags)}, simulated ${JSON.stringify(simulatedFlags)}; attackers ${attackers}`,
      )
      assert.deepEqual(deployedFlags, simulatedFlags)
      assert.deepEqual(deployedFlags[1], attackers)
      const blocked = blockedOwners(requestorEvents)
      t.diagnostic(
        `blocked (round:owner): deployed ${blocked}, simulated ${blockedOwners(simulatedEvents)}`,
      )
      assert.deepEqual(blocked, blockedOwners(simulatedEvents))
      assert.deepEqual(
        [...new Set(blocked.map((b) => b.split(':')[1]))].sort(),
        attackers,
        'both attackers blocked',
      )
      const defence = requestor.defence()!
      assert.deepEqual(defence.adrm.reputations, simulated.defence!.adrm.reputations)
      assert.deepEqual(
        defence.inspections.map((r) => [...r.flagged].sort()),
        simulated.defence!.inspections.map((r) => [...r.flagged].sort()),
      )
      // Detection metrics need labels: the deployed requestor has none and reports none.
      assert.equal(defence.detection, undefined)
      assert.ok(simulated.defence!.detection)
      // ADRM's decisions stay with the requestor: the provider's events carry none of them.
      assert.deepEqual(flaggedByRound(providerEvents), {})

      // The committed tables select the flagged owners on no component: the chain pays them nothing.
      const payouts = Object.entries(served.ledger.payouts).map(([id, wei]) => `${id}=${wei}`)
      t.diagnostic(`payouts on chain: ${payouts.join(', ')}`)
      for (const id of attackers)
        assert.equal(served.ledger.payouts[id] ?? 0n, 0n, `${id} unpaid on chain`)
      const honest = owners.filter((id) => !attackers.includes(id))
      for (const id of honest) assert.ok((served.ledger.payouts[id] ?? 0n) > 0n, `${id} paid`)
      assert.equal(served.ledger.escrowBalance, 0n)
      const accuracy = served.final.accuracy!
      t.diagnostic(
        `accuracy deployed ${accuracy}, simulated ${simulated.final.accuracy}, plaintext ${simulated.plaintextFinal.accuracy}`,
      )
      assert.ok(Math.abs(accuracy - simulated.final.accuracy!) <= 0.005)
      // The model the requestor trained on the honest owners is the simulation's up to the
      // CSPRNG-drawn noise (CKKS, noise flooding; the masks cancel), far below what it moved.
      const deployed = requestor.weights().flatMap((w) => [...w])
      const inProcess = simulated.weights.flatMap((w) => [...w])
      const initial = initialMsflWeights(deployedPlan.basics.seed, 1, inProcess.length).flatMap(
        (w) => [...w],
      )
      const apart = distance(deployed, inProcess)
      const moved = distance(inProcess, initial)
      t.diagnostic(`|deployed − simulated| = ${apart}, |simulated − initial| = ${moved}`)
      assert.ok(apart <= 0.02 * moved, `the models differ by ${apart}; training moved ${moved}`)
    } finally {
      requestor.dispose()
      for (const o of ownerParticipants) o.dispose()
      await chain.close()
    }
  })
})
