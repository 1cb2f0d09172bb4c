import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import Database from 'better-sqlite3'
import pg from 'pg'
import { openRunStore } from '../../src/adapters/store/index.ts'
import { loadJob } from '../../src/cli/deploy/loadJob.ts'
import {
  type LocalFederation,
  prepareLocalFederation,
} from '../../src/cli/deploy/prepareLocalFederation.ts'
import type { OrchestratorState } from '../../src/core/orchestrator/orchestratorState.ts'
import { startThrowawayPostgres, type ThrowawayPostgres } from '../store/throwawayPostgres.ts'
import { providerKilledTwice } from './federationProcesses.ts'
import { modelParams, simulated } from './simulatedModel.ts'

const OWNERS = 3
const ROUNDS = 3

/** What the store says about the run while the server is dead. */
async function storedRun(store: string, runId: string) {
  const opened = await openRunStore(store)
  try {
    const state = (await opened.loadRun(runId)) as OrchestratorState
    const fitResults = []
    for (let round = 1; round <= ROUNDS; round++)
      for (const m of await opened.listMessages(runId, round))
        if (m.kind === 'fit-result') fitResults.push({ round, sender: m.sender })
    const updates = (await opened.listTransitions(runId))
      .filter((t) => t.input.type === 'update')
      .map((t) => t.input as { round: number; sender: string })
    const events = (await opened.listEvents(runId)).map((e) => e.event.type)
    const rounds = await opened.listRounds(runId)
    const participants = await opened.listParticipants(runId)
    return { state, fitResults, updates, events, rounds, participants }
  } finally {
    await opened.close()
  }
}

/**
 * Runs the federation with its provider killed -9 twice: once in round 2 while TRAINING (one
 * update recorded, the others not), once in round 3 while AGGREGATING (every update recorded,
 * no model yet). Each time the provider is restarted on the same store; the owners and the
 * requestor are never restarted.
 */
async function runKilledTwice(federation: LocalFederation, store: string) {
  const { runId } = loadJob(federation.job)
  const run = await providerKilledTwice(
    federation,
    store,
    { inTraining: 'TRAINING:2:1', inAggregation: 'AGGREGATING:3' },
    () => storedRun(store, runId),
  )
  return {
    ...run,
    runId,
    summary: JSON.parse(run.summary) as { final?: { accuracy: number }; runDir?: string },
  }
}

async function assertResumedExactly(federation: LocalFederation, store: string): Promise<void> {
  const run = await runKilledTwice(federation, store)
  const { inTraining, inAggregation, finished } = run

  // Killed in round 2 while TRAINING: one update durable, the round still open.
  assert.equal(inTraining.state.phase, 'TRAINING')
  assert.equal(inTraining.state.round, 2)
  assert.equal(inTraining.state.received.length, 1)
  assert.equal(inTraining.fitResults.filter((f) => f.round === 2).length, 1)
  // Killed in round 3 while AGGREGATING: every update durable, no model for round 3 yet.
  assert.equal(inAggregation.state.phase, 'AGGREGATING')
  assert.equal(inAggregation.state.round, 3)
  assert.equal(inAggregation.fitResults.filter((f) => f.round === 3).length, OWNERS)
  assert.match(run.resumed, /"round":3/)

  assert.equal(run.providerExit, 0, run.logs)
  assert.deepEqual(run.participantExits, new Array(OWNERS + 1).fill(0), run.logs)
  assert.equal(finished.state.phase, 'COMPLETED')
  assert.equal(finished.state.round, ROUNDS)
  assert.ok((run.summary.final?.accuracy ?? 0) > 0.75, JSON.stringify(run.summary))
  // The resumed server's metrics hold every round, the ones before the restarts included.
  const metrics = JSON.parse(readFileSync(join(run.summary.runDir!, 'metrics.json'), 'utf8'))
  assert.deepEqual(
    metrics.history.map((r: { round: number }) => r.round),
    [1, 2, 3],
  )

  // Bit-identical to the uninterrupted run: the in-process simulation of the job (which the
  // uninterrupted deployment equals, test/deploy/deployLocal.test.ts).
  assert.deepEqual(
    modelParams(`${federation.runs}/model.requested.bin`),
    await simulated(federation.job),
  )

  // No update counted twice: one stored fit result and one accepting transition per owner and
  // round, although round 2's owners answered twice and round 3's updates were re-read.
  const key = (u: { round: number; sender: string }) => `${u.round}/${u.sender}`
  assert.equal(finished.fitResults.length, OWNERS * ROUNDS)
  assert.equal(new Set(finished.fitResults.map(key)).size, OWNERS * ROUNDS)
  assert.equal(finished.updates.length, OWNERS * ROUNDS)
  assert.equal(new Set(finished.updates.map(key)).size, OWNERS * ROUNDS)
  assert.deepEqual(
    finished.rounds.map((r) => [r.round, r.phase]),
    [
      [1, 'COMPLETED'],
      [2, 'COMPLETED'],
      [3, 'COMPLETED'],
    ],
  )
  assert.equal(
    finished.participants.filter((p) => p.role === 'data-owner').length,
    OWNERS,
    'each owner recorded once with its certificate serial',
  )
  assert.ok(finished.participants.every((p) => /^[0-9a-f]+$/.test(p.certificateSerial)))
  assert.ok(finished.events.includes('run-completed'), finished.events.join())
}

describe('msfl server killed -9 mid-round resumes from its store (separate OS processes)', () => {
  let root: string
  let postgres: ThrowawayPostgres | undefined
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'msfl-restart-test-'))
  })
  after(async () => {
    postgres?.stop()
    await rm(root, { recursive: true, force: true })
  })

  const federationIn = (name: string) =>
    prepareLocalFederation({
      dir: join(root, name),
      owners: OWNERS,
      rounds: ROUNDS,
      dataset: 'adult',
      model: 'logistic',
      seed: 13,
      host: '127.0.0.1',
    })

  it('on SQLite: killed while TRAINING and while AGGREGATING, the run completes with the uninterrupted model', {
    timeout: 600_000,
  }, async () => {
    const federation = await federationIn('sqlite')
    const store = join(root, 'sqlite', 'run.sqlite')
    await assertResumedExactly(federation, store)
    const db = new Database(store, { readonly: true })
    try {
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok')
    } finally {
      db.close()
    }
  })

  it('on PostgreSQL (a throwaway cluster): the same kills, the same model', {
    timeout: 600_000,
  }, async () => {
    postgres = await startThrowawayPostgres()
    const admin = new pg.Client({ connectionString: postgres.url })
    await admin.connect()
    const name = `msfl_restart_${process.pid}`
    try {
      await admin.query(`CREATE DATABASE ${name}`)
    } finally {
      await admin.end()
    }
    const url = new URL(postgres.url)
    url.pathname = `/${name}`
    await assertResumedExactly(await federationIn('postgres'), url.toString())
  })
})
