import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import Database from 'better-sqlite3'
import pg from 'pg'
import {
  type ChainClient,
  createRpcChain,
  decodeSettlementLogs,
  type Hex,
  type SettlementEvent,
} from '../../src/adapters/ledger-evm/index.ts'
import { openRunStore } from '../../src/adapters/store/index.ts'
import { loadAnyJob } from '../../src/cli/deploy/loadJob.ts'
import { type LocalChain, openLocalChain } from '../../src/cli/deploy/localChain.ts'
import {
  type LocalFederation,
  prepareLocalFederation,
} from '../../src/cli/deploy/prepareLocalFederation.ts'
import { findAnvil, type RunningAnvil, startAnvil } from '../../src/cli/deploy/startAnvil.ts'
import type { OrchestratorState } from '../../src/core/orchestrator/orchestratorState.ts'
import { initialMsflWeights } from '../../src/runtime/msfl/initialMsflWeights.ts'
import { startThrowawayPostgres, type ThrowawayPostgres } from '../store/throwawayPostgres.ts'
import { killHard, msflParties } from './federationProcesses.ts'
import { simulatedMsfl } from './simulatedModel.ts'

const OWNERS = 3
const ROUNDS = 3
const anvil = findAnvil()

/** What the store says about the run while the provider is dead (or done). */
async function storedRun(store: string, runId: string) {
  const opened = await openRunStore(store)
  try {
    const state = (await opened.loadRun(runId)) as OrchestratorState
    const messages = []
    for (let round = 0; round <= ROUNDS; round++)
      for (const m of await opened.listMessages(runId, round))
        messages.push({
          round,
          sender: m.sender,
          kind: m.kind,
          messageId: m.messageId,
          metadata: m.metadata,
        })
    const transitions = (await opened.listTransitions(runId)).map((t) => t.input)
    const rounds = await opened.listRounds(runId)
    const events = (await opened.listEvents(runId)).map((e) => e.event.type)
    return { state, messages, transitions, rounds, events }
  } finally {
    await opened.close()
  }
}

/** Every settlement event of the run's contract, read from the chain itself. */
async function chainEvents(chain: ChainClient, contract: string): Promise<SettlementEvent[]> {
  return decodeSettlementLogs(await chain.getLogs({ address: contract as Hex, fromBlock: 0n }))
}

/**
 * Runs an MS-FL federation whose provider is killed -9 four times: once every party accepted
 * the run's terms but before they are stored (the agreement and the contract are), in round 2
 * while TRAINING (one gradient recorded), in round 3 while AGGREGATING once the requestor's
 * selection is on the chain (deposited, table committed, not delivered), and once round 3,
 * run again, is delivered but not recorded closed. Each time it restarts on the same store;
 * the requestor and the owners are never restarted.
 */
async function runKilledTwice(federation: LocalFederation, store: string, chain: LocalChain) {
  const { runId } = loadAnyJob(federation.job)
  const parties = msflParties(federation, store, chain)
  const provider = parties.provider
  const started = Date.now()
  const marks: string[] = []
  const mark = (what: string) =>
    marks.push(`${what} ${((Date.now() - started) / 1000).toFixed(1)} s`)
  try {
    let p = provider({ MSFL_HOLD_AT: 'TERMS' })
    await p.waitFor('"msg":"listening"', 60_000)
    const participants = parties.participants()
    await p.waitFor('"msg":"held"', 300_000)
    assert.equal(await killHard(p), null, 'the provider died of SIGKILL')
    mark('killed before the terms were stored')
    const beforeTerms = await storedRun(store, runId)

    p = provider({ MSFL_HOLD_AT: 'TRAINING:2:1' })
    await p.waitFor('"msg":"held"', 300_000)
    assert.equal(await killHard(p), null, 'the provider died of SIGKILL')
    mark('killed in TRAINING')
    const inTraining = await storedRun(store, runId)

    p = provider({ MSFL_HOLD_AT: 'AGGREGATING:3:selected' })
    await p.waitFor('"msg":"resuming"', 120_000)
    mark('resumed')
    await p.waitFor('"msg":"held"', 300_000)
    assert.equal(await killHard(p), null, 'the provider died of SIGKILL')
    mark('killed in AGGREGATING')
    const inAggregation = await storedRun(store, runId)

    // Round 3 runs again and is delivered (paid); killed before it is recorded closed.
    p = provider({ MSFL_HOLD_AT: 'AGGREGATING:3:delivered' })
    await p.waitFor('"msg":"resuming"', 120_000)
    await p.waitFor('"msg":"held"', 300_000)
    assert.equal(await killHard(p), null, 'the provider died of SIGKILL')
    mark('killed after round 3 was delivered')
    const afterDelivery = await storedRun(store, runId)

    p = provider({})
    const resumed = await p.waitFor('"msg":"resuming"', 120_000)
    mark('resumed')
    const providerExit = await p.exited
    const participantExits = await Promise.all(participants.map((c) => c.exited))
    mark('completed')
    return {
      marks,
      runId,
      beforeTerms,
      inTraining,
      inAggregation,
      afterDelivery,
      resumed,
      providerExit,
      participantExits,
      summary: JSON.parse(p.stdout.at(-1) ?? '{}') as {
        final?: { accuracy: number }
        runDir?: string
        ledger?: { contract: string }
      },
      finished: await storedRun(store, runId),
      logs: parties.logs(),
    }
  } finally {
    await parties.killAll()
  }
}

async function assertResumedOnce(
  federation: LocalFederation,
  store: string,
  chain: LocalChain,
  t: { diagnostic(message: string): void },
): Promise<void> {
  const run = await runKilledTwice(federation, store, chain)
  t.diagnostic(run.marks.join('; '))
  const { beforeTerms, inTraining, inAggregation, afterDelivery, finished } = run

  // Killed once every party accepted the terms: the agreement and the contract are stored, the
  // terms not; the restarted provider settled on that contract (it deployed no other) and the
  // requestor and owners accepted the same terms again.
  const kinds = beforeTerms.messages.map((m) => m.kind)
  assert.ok(kinds.includes('msfl-agreement') && kinds.includes('msfl-contract'), kinds.join())
  assert.ok(!kinds.includes('msfl-terms'), kinds.join())
  const deployed = beforeTerms.messages.find((m) => m.kind === 'msfl-contract')!.metadata
  assert.equal(
    String(deployed['contract']).toLowerCase(),
    run.summary.ledger!.contract.toLowerCase(),
  )
  assert.equal(run.providerExit, 0, run.logs.slice(-6000))
  assert.deepEqual(run.participantExits, new Array(OWNERS + 1).fill(0), run.logs.slice(-6000))

  // Killed in round 2 while TRAINING: one gradient durable (its size only), the round open.
  assert.equal(inTraining.state.phase, 'TRAINING')
  assert.equal(inTraining.state.round, 2)
  assert.equal(inTraining.state.received.length, 1)
  // Killed in round 3 while AGGREGATING, its selection recorded (and on the chain).
  assert.equal(inAggregation.state.phase, 'AGGREGATING')
  assert.equal(inAggregation.state.round, 3)
  assert.ok(inAggregation.messages.some((m) => m.round === 3 && m.kind === 'msfl-selection'))
  assert.match(run.resumed, /"round":3/)
  // Killed after round 3's delivery: paid on the chain, not yet closed in the store. The last
  // provider closes it from the chain (not run again) and reports the run completed.
  assert.equal(afterDelivery.state.phase, 'AGGREGATING')
  assert.equal(afterDelivery.state.round, 3)
  assert.ok(!afterDelivery.events.includes('run-completed'))
  assert.ok(finished.events.includes('run-completed'), finished.events.join())

  assert.equal(finished.state.phase, 'COMPLETED')
  assert.equal(finished.state.round, ROUNDS)
  assert.deepEqual(
    finished.rounds.map((r) => [r.round, r.phase]),
    [
      [1, 'COMPLETED'],
      [2, 'COMPLETED'],
      [3, 'COMPLETED'],
    ],
  )
  // Each interrupted round was restarted once, from its model request; nothing else was.
  const restarts = finished.transitions.filter((i) => i.type === 'restart-round')
  assert.equal(restarts.length, 2)
  // No gradient counted twice: in each round's last attempt one accepted update per owner,
  // and within any attempt no owner twice (the store keys them by round, owner and attempt).
  const updates = finished.transitions.filter((i) => i.type === 'update') as {
    round: number
    sender: string
    messageId: string
  }[]
  const key = (u: { round: number; sender: string; messageId: string }) =>
    `${u.round}/${u.sender}/${u.messageId}`
  assert.equal(new Set(updates.map(key)).size, updates.length)
  for (let round = 1; round <= ROUNDS; round++) {
    const attempts = updates.filter((u) => u.round === round).map((u) => u.messageId)
    const last = attempts.sort().at(-1)
    const closing = updates.filter((u) => u.round === round && u.messageId === last)
    assert.deepEqual(
      closing.map((u) => u.sender).sort(),
      federation.owners.map((o) => o.name).sort(),
      `round ${round}`,
    )
  }
  const gradients = finished.messages.filter((m) => m.kind === 'msfl-gradient')
  assert.equal(gradients.length, updates.length, 'one stored gradient per accepting transition')
  assert.equal(
    gradients.filter((m) => m.round === 2).length,
    1 + OWNERS,
    'round 2: one from before the kill',
  )

  // The money, from the chain alone: each protocol round delivered (paid) exactly once, round
  // 3's first selection declined with its whole deposit refunded, deposit = payouts + refund.
  const rpc = createRpcChain({ url: chain.ledger.slice('rpc:'.length) })
  try {
    const events = await chainEvents(rpc, run.summary.ledger!.contract)
    const opened = events.filter((e) => e.name === 'RoundOpened')
    const delivered = new Set(events.flatMap((e) => (e.name === 'Delivered' ? [e.roundId] : [])))
    const declined = new Set(events.flatMap((e) => (e.name === 'Declined' ? [e.roundId] : [])))
    for (let round = 1; round <= ROUNDS; round++) {
      const ids = opened.filter((o) => o.protocolRound === BigInt(round)).map((o) => o.roundId)
      assert.equal(ids.filter((id) => delivered.has(id)).length, 1, `round ${round} paid once`)
      assert.equal(
        ids.filter((id) => declined.has(id)).length,
        round === 3 ? 1 : 0,
        `round ${round} declined`,
      )
    }
    let deposit = 0n
    let paid = 0n
    let refund = 0n
    for (const e of events) {
      if (e.name === 'RoundOpened') deposit += e.deposit
      if (e.name === 'Paid' || e.name === 'PaymentDeferred') paid += e.amount
      if (e.name === 'Refunded') refund += e.amount
    }
    for (const id of declined) {
      const open = opened.find((o) => o.roundId === id)!
      const back = events.find((e) => e.name === 'Refunded' && e.roundId === id)
      assert.equal(back?.name === 'Refunded' ? back.amount : -1n, open.deposit)
    }
    assert.equal(deposit, paid + refund)
    assert.equal(await rpc.getBalance(run.summary.ledger!.contract as Hex), 0n)
    const registered = events.flatMap((e) => (e.name === 'ModelRegistered' ? [e.round] : []))
    assert.deepEqual(registered, [1n, 2n, 3n], 'one model registered per round')
    t.diagnostic(`on chain: deposit ${deposit} = payouts ${paid} + refund ${refund}; escrow 0`)
  } finally {
    await rpc.close()
  }

  // The requestor's model: the in-process simulation's up to CKKS noise (and the CSPRNG-drawn
  // flooding noise; masks cancel), while three rounds moved it far more than that.
  const metrics = JSON.parse(readFileSync(join(run.summary.runDir!, 'metrics.json'), 'utf8'))
  assert.deepEqual(
    metrics.history.map((r: { round: number }) => r.round),
    [1, 2, 3],
  )
  const inProcess = await simulatedOnce(federation.job)
  const delivered = (
    JSON.parse(readFileSync(`${federation.runs}/model.requested.bin`, 'utf8')) as {
      heads: number[][]
    }
  ).heads.flat()
  const simulated = inProcess.weights.flatMap((w) => [...w])
  const initial = initialMsflWeights(7, 1, simulated.length).flatMap((w) => [...w])
  const apart = distance(delivered, simulated)
  const moved = distance(simulated, initial)
  t.diagnostic(
    `accuracy ${run.summary.final?.accuracy} (in one process ${inProcess.accuracy}); |restarted − in-process| = ${apart}, |in-process − initial| = ${moved}`,
  )
  assert.ok(apart <= 0.02 * moved, `the models differ by ${apart}; training moved ${moved}`)
  assert.ok(Math.abs((run.summary.final?.accuracy ?? 0) - inProcess.accuracy) <= 0.005)
}

// The two stores' runs go side by side: most of a run is waiting (process start, reconnection
// backoff, one party's turn), so together they take far less than one after the other.
describe('msfl server with an MS-FL job killed -9 mid-round continues the run on the same contract (separate OS processes, anvil)', {
  skip: 'missing' in anvil ? anvil.missing : false,
  concurrency: 2,
}, () => {
  let root: string
  let node: RunningAnvil | undefined
  let chain: LocalChain
  let postgres: ThrowawayPostgres | undefined
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'msfl-msfl-restart-'))
    if ('path' in anvil) node = await startAnvil(anvil.path)
    chain = await openLocalChain(`rpc:${node!.url}`, () => {})
  })
  after(async () => {
    await chain?.stop()
    await node?.stop()
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
      seed: 7,
      host: '127.0.0.1',
      protocol: 'msfl',
    })

  it('on SQLite: killed before the terms were stored, while TRAINING, after a deposit while AGGREGATING and after the last delivery, every round paid once, the model within CKKS error', {
    timeout: 900_000,
  }, async (t) => {
    const federation = await federationIn('sqlite')
    const store = join(root, 'sqlite', 'run.sqlite')
    await assertResumedOnce(federation, store, chain, t)
    const db = new Database(store, { readonly: true })
    try {
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok')
    } finally {
      db.close()
    }
  })

  it('on PostgreSQL (a throwaway cluster): the same kills, paid once, the same model', {
    timeout: 900_000,
  }, async (t) => {
    postgres = await startThrowawayPostgres()
    const admin = new pg.Client({ connectionString: postgres.url })
    await admin.connect()
    const name = `msfl_msfl_restart_${process.pid}`
    try {
      await admin.query(`CREATE DATABASE ${name}`)
    } finally {
      await admin.end()
    }
    const url = new URL(postgres.url)
    url.pathname = `/${name}`
    await assertResumedOnce(await federationIn('postgres'), url.toString(), chain, t)
  })
})

const simulations = new Map<string, ReturnType<typeof simulatedMsfl>>()

/**
 * The in-process run of a job, computed once for jobs that differ only in their run id and
 * chain (the two stores' federations train the same model).
 */
function simulatedOnce(jobFile: string): ReturnType<typeof simulatedMsfl> {
  const { plan } = loadAnyJob(jobFile)
  const key = JSON.stringify({ ...plan, ledger: undefined })
  let found = simulations.get(key)
  if (!found) {
    found = simulatedMsfl(jobFile)
    simulations.set(key, found)
  }
  return found
}

/** Euclidean distance between two weight vectors. */
function distance(a: readonly number[], b: readonly number[]): number {
  return Math.sqrt(a.reduce((sum, x, i) => sum + (x - b[i]!) ** 2, 0))
}
