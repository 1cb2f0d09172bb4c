import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { before, describe, it } from 'node:test'
import { openPrivacyLedger } from '../../src/adapters/owner-state/index.ts'
import { createCsprng } from '../../src/adapters/random/index.ts'
import { createNodeSecaggCrypto } from '../../src/adapters/secagg-crypto/index.ts'
import { createMemoryTransport } from '../../src/adapters/transport/index.ts'
import { loadJob } from '../../src/cli/deploy/loadJob.ts'
import { ownerPrivacy } from '../../src/cli/deploy/ownerPrivacy.ts'
import { createProtection } from '../../src/cli/privacy/createProtection.ts'
import { openDeployedProtection } from '../../src/cli/privacy/deployedProtection.ts'
import type { DatasetSplit } from '../../src/core/data/dataset.ts'
import { createModel } from '../../src/core/model/createModel.ts'
import type { MessageHandler, ProtocolMessage } from '../../src/core/ports/transport.ts'
import {
  type FederatedRunPlan,
  type ProtectedRunPlan,
  planFederatedRun,
} from '../../src/runtime/config/planRun.ts'
import { simulationConfigSchema } from '../../src/runtime/config/simulationConfig.ts'
import { createOwnerParticipant } from '../../src/runtime/deploy/createOwnerParticipant.ts'
import { serveFederation } from '../../src/runtime/deploy/serveFederation.ts'
import { summedUpdatesFloor } from '../../src/runtime/deploy/serveProtectedRounds.ts'
import { planPopulation } from '../../src/runtime/planPopulation.ts'
import { resolveModelSpec } from '../../src/runtime/resolveModelSpec.ts'
import { runSimulation } from '../../src/runtime/runSimulation.ts'
import { loadAdultSlice } from '../helpers/adultSlice.ts'

const crypto = createNodeSecaggCrypto()
const RUN = 'deployed'
let adult: DatasetSplit

const configOf = (privacy: string, extra: Record<string, unknown> = {}) => ({
  dataset: 'adult',
  model: 'logistic',
  clients: 4,
  rounds: 2,
  seed: 13,
  privacy,
  ...extra,
})
const planOf = (privacy: string, extra: Record<string, unknown> = {}): FederatedRunPlan =>
  planFederatedRun(simulationConfigSchema.parse(configOf(privacy, extra)))

/** The job in one process, as `msfl simulate` runs it. */
const simulate = (plan: FederatedRunPlan) =>
  runSimulation({
    runId: RUN,
    plan,
    data: adult,
    createTransport: (handlers) => createMemoryTransport({ handlers }),
    secaggCrypto: crypto,
    noiseRng: createCsprng,
    createProtection,
    emit: () => {},
    now: () => 0,
  })

/** A folder of privacy ledgers: each owner process of the federation keeps its own in it. */
const ledgerDir = () => mkdtempSync(join(tmpdir(), 'msfl-dp-ledgers-'))

/**
 * Each owner built as `msfl owner` builds it (ownerPrivacy: its own DP, its own CSPRNG, its
 * privacy ledger in `ledgers`: owners built again on the same folder are restarted processes).
 */
function ownersOf(plan: FederatedRunPlan, ledgers = ledgerDir()): Map<string, MessageHandler> {
  const { partition, owners } = planPopulation(plan.basics, adult.train)
  const model = createModel(resolveModelSpec(plan.basics.model, adult.test))
  const handlers = new Map<string, MessageHandler>()
  for (const c of partition.clients)
    handlers.set(
      c.id,
      createOwnerParticipant({
        runId: RUN,
        clientId: c.id,
        data: c.data,
        scaling: adult.scaling,
        owners: owners.length,
        model,
        seed: plan.basics.seed,
        crypto,
        ...ownerPrivacy({
          runId: RUN,
          clientId: c.id,
          rows: c.data.n,
          plan,
          model,
          crypto,
          checkKeyHolder: () => assert.fail('a secagg job has no key holder'),
          ledger: () =>
            openPrivacyLedger(join(ledgers, c.id, 'privacy-ledger.jsonl'), {
              runId: RUN,
              clientId: c.id,
            }),
        }),
      }),
    )
  return handlers
}

/**
 * The provider as `msfl server` runs it, over the memory transport (every message through
 * the wire codec); `tamper` may rewrite a request before it leaves, `seen` gets every reply.
 */
function serve(
  plan: FederatedRunPlan,
  handlers: Map<string, MessageHandler>,
  o: {
    tamper?: (to: string, m: ProtocolMessage) => ProtocolMessage
    seen?: { to: string; request: ProtocolMessage; reply: unknown }[]
    fail?: (to: string, m: ProtocolMessage) => boolean
  } = {},
) {
  const inner = createMemoryTransport({ handlers })
  return serveFederation({
    runId: RUN,
    plan,
    owners: planPopulation(plan.basics, adult.train).owners,
    transport: {
      request: async (to, m, options) => {
        const request = o.tamper ? o.tamper(to, m) : m
        if (o.fail?.(to, request)) throw new Error(`${to} is gone`)
        const reply = await inner.request(to, request, options)
        o.seen?.push({ to, request, reply })
        return reply
      },
      stats: () => inner.stats(),
    },
    test: adult.test,
    scaling: adult.scaling,
    crypto,
    aggregationRng: createCsprng(),
    noiseRng: createCsprng,
    protection: {
      open: openDeployedProtection,
      checkKeyHolder: () => assert.fail('a secagg job has no key holder'),
    },
    emit: () => {},
    now: () => 0,
  })
}

const types = (seen: readonly { reply: unknown }[]) =>
  new Set(seen.map((s) => (s.reply as { type?: string }).type))

describe('serveFederation with privacy: dp (each owner draws its own noise)', () => {
  before(async () => {
    adult = await loadAdultSlice(3000, 800)
  })

  it('sample level: the owners report the ε msfl simulate reports, and train to its accuracy', async () => {
    const plan = planOf('dp:epsilon=3')
    const simulated = await simulate(plan)
    const seen: { to: string; request: ProtocolMessage; reply: unknown }[] = []
    const served = await serve(plan, ownersOf(plan), { seen })
    assert.ok(served.privacy && simulated.privacy)
    // The accountant is deterministic: the same rounds over the same rows spend the same ε.
    assert.equal(served.privacy.level, 'sample')
    assert.equal(served.privacy.epsilon, simulated.privacy.epsilon)
    assert.equal(served.privacy.delta, simulated.privacy.delta)
    assert.deepEqual(served.privacy.epsilonPerRound, simulated.privacy.epsilonPerRound)
    assert.ok(served.privacy.epsilon > 0 && served.privacy.epsilon <= 3)
    assert.deepEqual(Object.keys(served.privacy.owners ?? {}).sort(), [
      'do-0',
      'do-1',
      'do-2',
      'do-3',
    ])
    // ε came from the owners: every one was asked, and answered from its own accountant.
    assert.equal(seen.filter((s) => s.request.type === 'privacy-spent-request').length, 4)
    assert.ok(types(seen).has('privacy-spent'))
    // DP-SGD noise is fresh CSPRNG noise on both sides: within noise, not bit-equal.
    const a = served.final.accuracy!
    const b = simulated.final.accuracy!
    assert.ok(Math.abs(a - b) < 0.1, `deployed ${a} vs simulated ${b}`)
    assert.notDeepEqual(served.params, simulated.params)
    // DP-SGD owners release no training loss.
    for (const s of seen)
      if ((s.reply as { type?: string }).type === 'fit-result')
        assert.equal((s.reply as { trainLoss: number }).trainLoss, 0)
  })

  it('sample level with secagg: only sums reach the provider, the same ε as simulate', async () => {
    const plan = planOf('dp:epsilon=3+secagg')
    const simulated = await simulate(plan)
    const seen: { to: string; request: ProtocolMessage; reply: unknown }[] = []
    const served = await serve(plan, ownersOf(plan), { seen })
    assert.equal(served.privacy!.epsilon, simulated.privacy!.epsilon)
    assert.deepEqual(served.privacy!.epsilonPerRound, simulated.privacy!.epsilonPerRound)
    assert.ok(types(seen).has('fit-protected') && !types(seen).has('fit-result'))
    assert.ok(Math.abs(served.final.accuracy! - simulated.final.accuracy!) < 0.1)
  })

  it('sample level: an owner that does not report its ε is named, and the model stands', async () => {
    const plan = planOf('dp:epsilon=3')
    const served = await serve(plan, ownersOf(plan), {
      fail: (to, m) => to === 'do-3' && m.type === 'privacy-spent-request',
    })
    assert.deepEqual(Object.keys(served.privacy!.owners!).sort(), ['do-0', 'do-1', 'do-2'])
    assert.match(served.privacy!.unreported!['do-3']!, /do-3 is gone/)
    assert.equal(served.history.length, 2)
  })

  it('sample level: an owner never sampled reports what its noisy statistics cost', async () => {
    // One round over a quarter of the owners: one of them trains, three only released statistics.
    const plan = planOf('dp:epsilon=3', { rounds: 1, sampling: { fraction: 0.25 } })
    const simulated = await simulate(plan)
    const seen: { to: string; request: ProtocolMessage; reply: unknown }[] = []
    const served = await serve(plan, ownersOf(plan), { seen })
    assert.equal(seen.filter((s) => s.request.type === 'fit').length, 1)
    const owners = Object.values(served.privacy!.owners!)
    assert.equal(owners.length, 4)
    assert.ok(
      owners.every((o) => o.epsilon > 0),
      JSON.stringify(owners),
    )
    assert.equal(new Set(owners.map((o) => o.epsilon)).size, 2, 'one trained, three did not')
    assert.equal(served.privacy!.epsilon, simulated.privacy!.epsilon)
  })

  it('client level, central noise: the provider plans, accounts and noises; ε equals simulate', async () => {
    const plan = planOf('dp:level=client,epsilon=5,delta=1e-3,clip=1,sampling=0.75')
    const simulated = await simulate(plan)
    const seen: { to: string; request: ProtocolMessage; reply: unknown }[] = []
    const served = await serve(plan, ownersOf(plan), { seen })
    const { privacy } = served
    assert.equal(privacy?.level, 'client')
    assert.equal(privacy?.noise, 'central')
    assert.equal(privacy?.epsilon, simulated.privacy!.epsilon)
    assert.equal(privacy?.noiseMultiplier, simulated.privacy!.noiseMultiplier)
    assert.deepEqual(privacy?.epsilonPerRound, simulated.privacy!.epsilonPerRound)
    // Owners clip and hide their row count and loss: every update reports one example.
    const fits = seen.filter((s) => (s.reply as { type?: string }).type === 'fit-result')
    assert.ok(fits.length > 0)
    for (const f of fits) {
      const reply = f.reply as { numExamples: number; trainLoss: number }
      assert.deepEqual([reply.numExamples, reply.trainLoss], [1, 0])
    }
    // No feature statistic left an owner: the features are scaled by the declared ranges.
    assert.ok(!seen.some((s) => s.request.type === 'feature-statistics-request'))
    assert.equal(simulated.scaling?.source, 'declared-ranges')
  })

  it('client level, distributed noise with secagg: ε equals simulate; a round short of t shares releases nothing', async () => {
    const spec = 'dp:level=client,noise=distributed,epsilon=5,delta=1e-3,min=4+secagg:t=4,clip=8'
    const plan = planOf(spec)
    const simulated = await simulate(plan)
    const full: { to: string; request: ProtocolMessage; reply: unknown }[] = []
    const served = await serve(plan, ownersOf(plan), { seen: full })
    assert.equal(served.privacy?.noise, 'distributed')
    assert.equal(served.privacy?.minContributors, 4)
    assert.equal(served.privacy?.epsilon, simulated.privacy!.epsilon)
    assert.deepEqual(served.privacy?.epsilonPerRound, simulated.privacy!.epsilonPerRound)
    // do-3 is gone in round 2: three noise shares are fewer than t = 4, so round 2 is dropped
    // before anything is summed, and spends nothing.
    const seen: { to: string; request: ProtocolMessage; reply: unknown }[] = []
    const short = await serve(plan, ownersOf(plan), {
      seen,
      fail: (to, m) => to === 'do-3' && m.type === 'fit' && m.round === 2,
    })
    assert.equal(short.history[1]!.accepted, 0)
    assert.ok(short.privacy!.epsilon < served.privacy!.epsilon)
    assert.equal(short.privacy!.epsilonPerRound[2], short.privacy!.epsilonPerRound[1])
    // Round 2 started no secure aggregation: the full run set up two, the short one one.
    const setups = (log: typeof seen) => log.filter((s) => s.request.type === 'secagg-setup').length
    assert.equal(setups(full), 2 * 4)
    assert.equal(setups(seen), 4)
  })

  it('an owner refuses a plan that would spend beyond its budget', async () => {
    const plan = planOf('dp:epsilon=3')
    // The owners take part in a whole run first (the scaling agreed, both rounds trained).
    const handlers = ownersOf(plan)
    const served = await serve(plan, handlers)
    assert.ok(served.privacy!.epsilon <= 3)
    const numParams = served.params.length
    const fit = (round: number, epochs: number) => ({
      type: 'fit',
      runId: RUN,
      round,
      mode: 'params',
      params: new Float64Array(numParams),
      training: { ...plan.engine.training, epochs },
    })
    // A provider that asks for many more epochs than the job's gets an error, not an update.
    const reply = (await handlers.get('do-1')!.handle(fit(3, 50))) as {
      type: string
      message: string
    }
    assert.equal(reply.type, 'error')
    assert.match(reply.message, /privacy budget exhausted/)
  })

  it('client level: an owner answers no round past the job, no round twice, and none again after a restart', async () => {
    const plan = planOf('dp:level=client,epsilon=5,delta=1e-3')
    const ledgers = ledgerDir()
    const handlers = ownersOf(plan, ledgers)
    const served = await serve(plan, handlers)
    const fit = (round: number) => ({
      type: 'fit',
      runId: RUN,
      round,
      mode: 'params',
      params: served.params,
      training: plan.engine.training,
    })
    const owner = handlers.get('do-0')!
    const again = (await owner.handle(fit(1))) as { type: string; message: string }
    assert.equal(again.type, 'error')
    assert.match(again.message, /round 1 was answered already/)
    const past = (await owner.handle(fit(3))) as { type: string; message: string }
    assert.match(past.message, /round 3 is not one of the job's 2 rounds/)
    // A restarted owner process reads its privacy ledger: the rounds it answered stay
    // answered, even when the provider asks it describe-data again as at a run's start.
    const restarted = ownersOf(plan, ledgers).get('do-1')!
    const described = (await restarted.handle({ type: 'describe-data', runId: RUN })) as {
      type: string
    }
    assert.equal(described.type, 'data-description')
    for (const round of [1, 2]) {
      const late = (await restarted.handle(fit(round))) as { type: string; message: string }
      assert.equal(late.type, 'error')
      assert.match(late.message, new RegExp(`round ${round} was answered already`))
    }
    // A fresh ledger (another run's folder) is what the owner would have without one: it trains.
    const unrecorded = ownersOf(plan).get('do-1')!
    assert.equal(((await unrecorded.handle(fit(2))) as { type: string }).type, 'fit-result')
  })

  it('sample level: a restarted owner process starts from its ledger: the ε it spent, no round past its budget', async () => {
    const plan = planOf('dp:epsilon=3')
    const ledgers = ledgerDir()
    const seen: { to: string; request: ProtocolMessage; reply: unknown }[] = []
    const served = await serve(plan, ownersOf(plan, ledgers), { seen })
    const before = served.privacy!.owners!['do-1']!
    const restart = async (folder: string) => {
      const owner = ownersOf(plan, folder).get('do-1')!
      // A malicious provider asks describe-data again and hands it the agreed scaling, as it
      // does to an owner that reconnects.
      await owner.handle({ type: 'describe-data', runId: RUN })
      const scaling = seen.find((s) => s.to === 'do-1' && s.request.type === 'feature-scaling')!
      const applied = (await owner.handle(scaling.request)) as { type: string }
      assert.equal(applied.type, 'feature-scaling-applied')
      return owner
    }
    const restarted = await restart(ledgers)
    const spent = (await restarted.handle({ type: 'privacy-spent-request', runId: RUN })) as {
      epsilon: number
      rounds: { round: number }[]
    }
    assert.equal(spent.epsilon, before.epsilon)
    assert.deepEqual(
      spent.rounds.map((r) => r.round),
      [1, 2],
    )
    const fit = {
      type: 'fit',
      runId: RUN,
      round: 3,
      mode: 'params',
      params: served.params,
      training: plan.engine.training,
    }
    const refused = (await restarted.handle(fit)) as { type: string; message: string }
    assert.equal(refused.type, 'error')
    assert.match(refused.message, /privacy budget exhausted: this round would take ε from/)
    // The same process without its ledger would have trained: the ledger is what refuses.
    const forgetful = await restart(ledgerDir())
    assert.equal(((await forgetful.handle(fit)) as { type: string }).type, 'fit-result')
  })

  it('an owner takes its DP terms from the job, not from the provider', async () => {
    // Client level behind secagg: an update is never scaled, whatever the terms say.
    const plan = planOf('dp:level=client,noise=distributed,delta=1e-3,min=3+secagg:t=3,clip=16')
    const owner = ownersOf(plan).get('do-0')!
    const terms = { type: 'protection-terms', runId: RUN, referenceExamples: 600 }
    const refused = (await owner.handle(terms)) as { type: string; message: string }
    assert.equal(refused.type, 'error')
    assert.match(refused.message, /referenceExamples: client-level DP updates are not scaled/)
    assert.equal(
      ((await owner.handle({ ...terms, referenceExamples: 1 })) as { type: string }).type,
      'protection-terms-accepted',
    )
    // The floor on a protected sum (the key holder's too) is the job's t, else two updates.
    const paillier = planOf('dp:level=client,noise=distributed,delta=1e-3,min=3+paillier:range=16')
    assert.equal(summedUpdatesFloor(paillier as ProtectedRunPlan), 3)
    assert.equal(summedUpdatesFloor(planOf('secagg') as ProtectedRunPlan), 2)
    // Sample level: δ must be below 1/rows, checked before the owner joins.
    const loose = planOf('dp:epsilon=3,delta=0.05')
    const model = createModel(resolveModelSpec('logistic', adult.test))
    const privacy = (rows: number) =>
      ownerPrivacy({
        runId: RUN,
        clientId: 'do-0',
        rows,
        plan: loose,
        model,
        crypto,
        checkKeyHolder: () => {},
        ledger: () =>
          openPrivacyLedger(join(ledgerDir(), 'do-0', 'privacy-ledger.jsonl'), {
            runId: RUN,
            clientId: 'do-0',
          }),
      })
    assert.throws(
      () => privacy(20),
      /privacy: dp delta 0.05 is not below 1\/rows = 5.00e-2 for do-0/,
    )
    assert.equal(privacy(19).dp?.level, 'sample')
  })

  it('refuses a job whose DP a deployment cannot run, or whose bytes differ, naming the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'msfl-dp-job-'))
    const write = (name: string, config: Record<string, unknown>) => {
      const path = join(dir, name)
      writeFileSync(path, JSON.stringify(config))
      return path
    }
    assert.throws(() => loadJob(write('bad.json', configOf('dp:epsilon=-1'))), /epsilon/)
    assert.throws(
      () => loadJob(write('opt.json', configOf('dp:sampling=0.5'))),
      /privacy \(--privacy\): dp option 'sampling' needs level=client/,
    )
    assert.throws(
      () => loadJob(write('dist.json', configOf('dp:level=client,noise=distributed,delta=1e-3'))),
      /privacy \(--privacy\): dp noise=distributed needs/,
    )
    // Too few noise shares per released sum: the job is refused before any process runs it.
    assert.throws(
      () =>
        loadJob(
          write('t1.json', configOf('dp:level=client,noise=distributed,delta=1e-3,min=1+paillier')),
        ),
      /noise=distributed with paillier needs min=t ≥ 2/,
    )
    assert.throws(
      () =>
        loadJob(
          write(
            't5.json',
            configOf('dp:level=client,noise=distributed,delta=1e-3,min=5+secagg:t=3'),
          ),
        ),
      /min=5 exceeds secagg t=3/,
    )
    assert.throws(
      () => loadJob(write('verify.json', configOf('dp:epsilon=3', { verify: 'smpc' }))),
      /verify: with privacy: dp it is not available in a deployment yet/,
    )
    // The owner's kit pins the job's SHA-256: a job with less noise is another job.
    const issued = loadJob(write('job.json', configOf('dp:epsilon=3')))
    const looser = write('looser.json', configOf('dp:epsilon=30'))
    assert.throws(() => loadJob(looser, issued.sha256), /is not the job this kit was issued for/)
    assert.equal(loadJob(issued.path, issued.sha256).plan.protocol, 'protected')
  })
})
