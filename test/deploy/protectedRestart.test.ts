import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import Database from 'better-sqlite3'
import { openRunStore } from '../../src/adapters/store/index.ts'
import { loadJob } from '../../src/cli/deploy/loadJob.ts'
import {
  type LocalFederation,
  prepareLocalFederation,
} from '../../src/cli/deploy/prepareLocalFederation.ts'
import { createRdpAccountant } from '../../src/core/dp/rdpAccountant.ts'
import type { ProtectedRoundRecord } from '../../src/core/events/runEvent.ts'
import type { OrchestratorState } from '../../src/core/orchestrator/orchestratorState.ts'
import { decodeMessage } from '../../src/core/wire/decodeMessage.ts'
import { providerKilledTwice } from './federationProcesses.ts'
import { modelParams } from './simulatedModel.ts'

const OWNERS = 3
const ROUNDS = 4

/** What the store holds of the run: its state, transitions, models, records and messages. */
async function storedRun(store: string, runId: string) {
  const opened = await openRunStore(store)
  try {
    const state = (await opened.loadRun(runId)) as OrchestratorState
    const inputs = (await opened.listTransitions(runId)).map((t) => t.input)
    const models = []
    const records: ProtectedRoundRecord[] = []
    const fitResults = []
    for (let round = 0; round <= ROUNDS; round++) {
      const model = await opened.loadModelVersion(runId, round)
      if (model) models.push({ round, sha256: model.sha256, bytes: model.bytes })
      for (const m of await opened.listMessages(runId, round)) {
        if (m.kind === 'round-record') records.push(m.metadata as unknown as ProtectedRoundRecord)
        if (m.kind === 'fit-result')
          fitResults.push({ round, sender: m.sender, payload: m.payload })
      }
    }
    return { state, inputs, models, records, fitResults }
  } finally {
    await opened.close()
  }
}

/**
 * A protected FedAvg job (`privacy`) across real processes, its provider killed -9 in round 2
 * while TRAINING and in round 3 while AGGREGATING and restarted on the same store each time;
 * the owners, the requestor (and the key holder) are never restarted.
 */
async function runKilledTwice(
  federation: LocalFederation,
  store: string,
  inTrainingAt = 'TRAINING:2:1',
) {
  const { runId } = loadJob(federation.job)
  const run = await providerKilledTwice(
    federation,
    store,
    { inTraining: inTrainingAt, inAggregation: 'AGGREGATING:3' },
    () => storedRun(store, runId),
  )
  return {
    ...run,
    runId,
    summary: JSON.parse(run.summary) as {
      final?: { accuracy: number }
      runDir?: string
      privacy?: { level: string; epsilon: number; noise_multiplier?: number }
    },
  }
}

async function assertRoundsSkipped(
  federation: LocalFederation,
  store: string,
  expect: {
    readonly minAccuracy?: number
    /** Round 4's fewest accepted updates (a Poisson-sampled round may ask nobody). */
    readonly minAcceptedLast?: number
    readonly inTrainingAt?: string
  } = {},
): Promise<Awaited<ReturnType<typeof runKilledTwice>>> {
  const run = await runKilledTwice(federation, store, expect.inTrainingAt)
  const { inTraining, inAggregation, finished } = run
  assert.equal(inTraining.state.phase, 'TRAINING')
  assert.equal(inTraining.state.round, 2)
  assert.equal(inAggregation.state.phase, 'AGGREGATING')
  assert.equal(inAggregation.state.round, 3)

  assert.equal(run.providerExit, 0, run.logs)
  assert.deepEqual(
    run.participantExits,
    run.participantExits.map(() => 0),
    run.logs,
  )
  assert.equal(finished.state.phase, 'COMPLETED')
  assert.equal(finished.state.round, ROUNDS)

  // Rounds 2 and 3 were given up, each once, with a reason; 1 and 4 trained.
  const skips = finished.inputs.filter((i) => i.type === 'skip-round')
  assert.equal(skips.length, 2)
  assert.equal(finished.inputs.filter((i) => i.type === 'restart-round').length, 0)
  assert.deepEqual(
    finished.records.map((r) => [r.round, r.skipped !== undefined]),
    [
      [1, false],
      [2, true],
      [3, true],
      [4, false],
    ],
  )
  for (const record of finished.records.filter((r) => r.skipped)) {
    assert.equal(record.accepted, 0)
    assert.match(record.skipped!, /restarted while round [23] was (TRAINING|AGGREGATING)/)
  }
  assert.ok(
    finished.records[3]!.accepted >= (expect.minAcceptedLast ?? 2),
    JSON.stringify(finished.records[3]),
  )
  // A skipped round closes with the model it started from; round 4 moved it.
  const sha = finished.models.map((m) => m.sha256)
  assert.deepEqual(
    finished.models.map((m) => m.round),
    [0, 1, 2, 3, 4],
  )
  assert.notEqual(sha[1], sha[0])
  assert.equal(sha[2], sha[1])
  assert.equal(sha[3], sha[2])
  assert.notEqual(sha[4], sha[3])
  // The requestor got the stored final model, and the metrics list every round.
  assert.deepEqual(
    modelParams(`${federation.runs}/model.requested.bin`),
    decodeMessage(finished.models[4]!.bytes) as Float64Array,
  )
  assert.ok(
    (run.summary.final?.accuracy ?? 0) > (expect.minAccuracy ?? 0.7),
    JSON.stringify(run.summary),
  )
  const metrics = JSON.parse(readFileSync(join(run.summary.runDir!, 'metrics.json'), 'utf8'))
  assert.deepEqual(
    metrics.history.map((r: { round: number }) => r.round),
    [1, 2, 3, 4],
  )
  // A protected update is recorded by its owner and size, never its bytes (its masks are gone).
  assert.ok(finished.fitResults.length > 0)
  assert.ok(finished.fitResults.every((f) => f.payload === undefined))
  const key = (f: { round: number; sender: string }) => `${f.round}/${f.sender}`
  assert.equal(new Set(finished.fitResults.map(key)).size, finished.fitResults.length)

  const db = new Database(store, { readonly: true })
  try {
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok')
  } finally {
    db.close()
  }
  return run
}

/** DP alone: no masks to lose, so the interrupted rounds resume from their stored replies. */
async function assertResumedWithDp(federation: LocalFederation, store: string): Promise<void> {
  const run = await runKilledTwice(federation, store)
  const { finished } = run
  assert.equal(run.inTraining.state.phase, 'TRAINING')
  assert.equal(run.inAggregation.state.phase, 'AGGREGATING')
  assert.equal(run.providerExit, 0, run.logs)
  assert.deepEqual(
    run.participantExits,
    run.participantExits.map(() => 0),
    run.logs,
  )
  assert.equal(finished.state.phase, 'COMPLETED')
  assert.equal(finished.inputs.filter((i) => i.type === 'skip-round').length, 0)
  assert.deepEqual(
    finished.records.map((r) => [r.round, r.skipped]),
    [1, 2, 3, 4].map((round) => [round, undefined]),
  )
  // Every owner's noisy update counted once per round, its bytes kept for a resume.
  const key = (f: { round: number; sender: string }) => `${f.round}/${f.sender}`
  assert.equal(finished.fitResults.length, OWNERS * ROUNDS, JSON.stringify(finished.records))
  assert.equal(new Set(finished.fitResults.map(key)).size, OWNERS * ROUNDS)
  assert.ok(finished.fitResults.every((f) => f.payload !== undefined))
  assert.equal(new Set(finished.models.map((m) => m.sha256)).size, ROUNDS + 1)
  // An owner asked again for a round whose reply the killed provider lost sent the same noisy
  // update again: each owner's privacy ledger holds one DP-SGD release per round, no more.
  for (const owner of federation.owners) {
    const ledger = readFileSync(join(owner.kit, 'state', run.runId, 'privacy-ledger.jsonl'), 'utf8')
    const rounds = ledger
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { kind: string; round?: number })
      .filter((release) => release.kind === 'dp-sgd-round')
      .map((release) => release.round)
    assert.deepEqual(rounds, [1, 2, 3, 4], `${owner.name}: ${ledger}`)
  }
  assert.equal(run.summary.privacy?.level, 'sample', JSON.stringify(run.summary))
  assert.ok(run.summary.privacy!.epsilon > 0 && run.summary.privacy!.epsilon <= 3)
}

describe('a protected run whose provider is killed -9 mid-round skips that round and completes (separate OS processes)', () => {
  let root: string
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'msfl-protected-restart-'))
  })
  after(async () => {
    await rm(root, { recursive: true, force: true })
  })

  const federationIn = (name: string, privacy: string) =>
    prepareLocalFederation({
      dir: join(root, name),
      owners: OWNERS,
      rounds: ROUNDS,
      dataset: 'adult',
      model: 'logistic',
      seed: 17,
      host: '127.0.0.1',
      privacy,
    })

  it('secure aggregation: rounds 2 and 3 are skipped, never rerun, and the owners accept the same terms again', {
    timeout: 600_000,
  }, async () => {
    const federation = await federationIn('secagg', 'secagg')
    await assertRoundsSkipped(federation, join(root, 'secagg', 'run.sqlite'))
  })

  it('CKKS with the key holder as its own process: the same, the key holder decrypting each round once', {
    timeout: 600_000,
  }, async () => {
    const federation = await federationIn('ckks', 'ckks')
    await assertRoundsSkipped(federation, join(root, 'ckks', 'run.sqlite'))
  })

  it('Paillier with the key holder as its own process: the same', {
    timeout: 600_000,
  }, async () => {
    const federation = await federationIn('paillier', 'paillier')
    await assertRoundsSkipped(federation, join(root, 'paillier', 'run.sqlite'))
  })

  it("client-level DP with distributed noise behind secagg: the skipped rounds are charged at the job's σ, the trained ones at the σ their sums carried", {
    timeout: 600_000,
  }, async () => {
    const federation = await federationIn(
      'client-dp',
      'dp:level=client,noise=distributed,epsilon=5,delta=1e-3,min=2+secagg:t=2,clip=16',
    )
    const run = await assertRoundsSkipped(federation, join(root, 'client-dp', 'run.sqlite'), {
      minAccuracy: 0,
    })
    const { privacy } = run.summary
    assert.equal(privacy?.level, 'client', JSON.stringify(run.summary))
    const sigma = privacy!.noise_multiplier!
    // The provider restarted twice, yet its accountant counts all four rounds: rounds 1 and 4
    // at σ·√(m/t) for their m noise shares, the skipped rounds 2 and 3 at σ (an overcount).
    const reference = createRdpAccountant({ delta: 1e-3 })
    for (const record of run.finished.records)
      reference.step(1, {
        samplingRate: 1,
        noiseMultiplier: record.skipped ? sigma : sigma * Math.sqrt(record.accepted / 2),
      })
    assert.ok(
      Math.abs(privacy!.epsilon - reference.spent().epsilon) < 1e-9,
      `${privacy!.epsilon} vs ${reference.spent().epsilon}`,
    )
    assert.ok(privacy!.epsilon <= 5)
  })

  it('client-level DP alone with central noise and Poisson sampling: the interrupted rounds are skipped (their secret draw cannot be repeated), ε as uninterrupted', {
    timeout: 600_000,
  }, async () => {
    const federation = await federationIn(
      'central-dp',
      'dp:level=client,epsilon=5,delta=1e-3,clip=1,sampling=0.75',
    )
    // Held as soon as round 2 opens: a Poisson round may ask nobody.
    const run = await assertRoundsSkipped(federation, join(root, 'central-dp', 'run.sqlite'), {
      minAccuracy: 0,
      minAcceptedLast: 0,
      inTrainingAt: 'TRAINING:2',
    })
    const { privacy } = run.summary
    assert.equal(privacy?.level, 'client', JSON.stringify(run.summary))
    // Central noise charges every round at (q, σ), so the two skipped rounds cost what the
    // uninterrupted run's rounds 2 and 3 cost: the same ε over four rounds.
    const reference = createRdpAccountant({ delta: 1e-3 })
    for (let round = 1; round <= ROUNDS; round++)
      reference.step(1, { samplingRate: 0.75, noiseMultiplier: privacy!.noise_multiplier! })
    assert.ok(
      Math.abs(privacy!.epsilon - reference.spent().epsilon) < 1e-9,
      `${privacy!.epsilon} vs ${reference.spent().epsilon}`,
    )
  })

  it('sample-level DP alone: the interrupted rounds resume from their stored noisy updates, none counted twice', {
    timeout: 600_000,
  }, async () => {
    const federation = await federationIn('dp', 'dp:epsilon=3')
    await assertResumedWithDp(federation, join(root, 'dp', 'run.sqlite'))
  })
})
