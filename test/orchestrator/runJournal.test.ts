import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { openSqliteRunStore } from '../../src/adapters/store/index.ts'
import type { RoundRecord } from '../../src/core/events/runEvent.ts'
import type { RoundPolicy } from '../../src/core/orchestrator/roundPolicy.ts'
import type { RunStore } from '../../src/core/ports/runStore.ts'
import { encodeMessage } from '../../src/core/wire/encodeMessage.ts'
import { openRunJournal } from '../../src/runtime/orchestrator/openRunJournal.ts'
import { abortRun, requestControl } from '../../src/runtime/orchestrator/operatorControl.ts'
import { runCli } from '../helpers/runCli.ts'

const policy: RoundPolicy = {
  rounds: 2,
  fraction: 1,
  minClients: 2,
  quorum: 1,
  roundDeadlineMs: 60_000,
  maxRoundAttempts: 1,
}
const owners = [
  { name: 'do-0', role: 'data-owner', serialNumber: '0A' },
  { name: 'do-1', role: 'data-owner', serialNumber: '0B' },
]
const fit = (clientId: string, round: number) => ({
  type: 'fit-result',
  round,
  clientId,
  kind: 'params',
  vector: Float64Array.from([round, clientId.length]),
  numExamples: 10,
  trainLoss: 0.5,
})
const record = (round: number) =>
  ({ round, selected: 2, accepted: 2, excluded: [], stragglers: [] }) as unknown as RoundRecord

const dir = mkdtempSync(join(tmpdir(), 'msfl-journal-test-'))
after(() => rmSync(dir, { recursive: true, force: true }))
let stores = 0
const newStore = () => openSqliteRunStore(join(dir, `run-${stores++}.sqlite`))

async function journalOn(
  store: RunStore,
  extra: { pausePollMs?: number; interruptedRounds?: 'resume' | 'skip' } = {},
) {
  let clock = 1_000
  const journal = await openRunJournal({
    store,
    runId: 'run-1',
    policy,
    self: 'provider',
    now: () => (clock += 10),
    ...extra,
  })
  return journal
}

describe('the run journal on a store', () => {
  it('a reply recorded twice counts once; a restarted journal resumes the open round with it', async () => {
    const store = await newStore()
    try {
      const first = await journalOn(store)
      assert.equal(first.resume, undefined, 'a new run starts at round 1')
      await first.register(owners)
      await first.recordInitialModel(Float64Array.from([0, 0]))
      const opened = await first.opened(1, ['do-1', 'do-0'])
      assert.deepEqual([...opened.recorded], [])
      assert.equal(await first.accepted(1, 'do-1', fit('do-1', 1)), 'recorded')
      assert.equal(await first.accepted(1, 'do-1', fit('do-1', 1)), 'recorded')
      assert.equal((await store.listMessages('run-1', 1)).length, 1, 'one row for the reply')

      // The "server" dies here; a new journal on the same store picks round 1 up.
      const second = await journalOn(store)
      assert.equal(second.resume?.round, 1)
      assert.deepEqual(second.resume?.params, Float64Array.from([0, 0]))
      await assert.rejects(
        second.opened(1, ['do-0', 'do-1']),
        /asked do-1, do-0 before the restart, now do-0, do-1/,
        'a resumed round must ask the owners it asked before',
      )
      const reopened = await second.opened(1, ['do-1', 'do-0'])
      assert.deepEqual([...reopened.recorded.keys()], ['do-1'])
      assert.deepEqual(reopened.recorded.get('do-1'), fit('do-1', 1))
      assert.equal(reopened.deadlineAt, opened.deadlineAt, 'the stored deadline is re-armed')
      assert.equal(await second.accepted(1, 'do-1', fit('do-1', 1)), 'recorded')
      assert.equal(await second.accepted(1, 'do-0', fit('do-0', 1)), 'recorded')
      assert.equal(second.state().phase, 'AGGREGATING')
      const late = await second.accepted(1, 'do-0', fit('do-0', 1))
      assert.equal(
        late,
        'recorded',
        'a replayed reply after the round closed its intake is no new update',
      )
      await second.closed(1, Float64Array.from([1, 1]), record(1))
      const updates = (await store.listTransitions('run-1')).filter(
        (t) => t.input.type === 'update',
      )
      assert.deepEqual(
        updates.map((t) => (t.input as { sender: string }).sender),
        ['do-1', 'do-0'],
      )

      const third = await journalOn(store)
      assert.equal(third.resume?.round, 2)
      assert.deepEqual(third.resume?.params, Float64Array.from([1, 1]))
      assert.deepEqual(third.resume?.history, [record(1)])
    } finally {
      await store.close()
    }
  })

  it("interruptedRounds 'skip' stores no reply bytes and gives an interrupted round up: same model, next round", async () => {
    const store = await newStore()
    try {
      const skip = { interruptedRounds: 'skip' } as const
      const first = await journalOn(store, skip)
      await first.register(owners)
      await first.recordInitialModel(Float64Array.from([0, 0]))
      await first.opened(1, ['do-0', 'do-1'])
      assert.equal(await first.accepted(1, 'do-0', fit('do-0', 1)), 'recorded')
      const stored = await store.listMessages('run-1', 1)
      assert.equal(stored.length, 1)
      assert.equal(stored[0]!.payload, undefined, 'a protected reply is useless without its masks')
      assert.deepEqual(stored[0]!.metadata, { numExamples: 10, trainLoss: 0.5 })
      await assert.rejects(
        first.skipRound(record(1), 'x'),
        /round 1 is not interrupted/,
        'a live round is never skipped',
      )

      // The "server" dies in round 1; the restarted one must skip it, never reopen it.
      const second = await journalOn(store, skip)
      assert.equal(second.resume?.interrupted, true)
      await assert.rejects(second.opened(1, ['do-0', 'do-1']), /interrupted and cannot resume/)
      await second.skipRound(record(1), 'restarted')
      assert.equal(second.state().phase, 'WAITING_FOR_CLIENTS')
      assert.equal(second.resume?.round, 2)
      assert.equal(second.resume?.interrupted, false)
      assert.deepEqual(second.resume?.params, Float64Array.from([0, 0]))
      assert.deepEqual(second.resume?.history, [record(1)])
      const [v0, v1] = [0, 1].map((v) => store.loadModelVersion('run-1', v))
      assert.equal(
        (await v1)?.sha256,
        (await v0)?.sha256,
        'round 1 closed with the model it started from',
      )
      await second.opened(2, ['do-0', 'do-1'])
      assert.equal(await second.accepted(2, 'do-1', fit('do-1', 2)), 'recorded')

      // A journal that resumes (a plain run) has no round to skip.
      const resuming = await journalOn(store)
      assert.equal(resuming.resume?.interrupted, true)
      await assert.rejects(resuming.skipRound(record(2), 'x'), /is not interrupted/)
      // Skipping the last round completes the run.
      const third = await journalOn(store, skip)
      await third.skipRound(record(2), 'restarted again')
      assert.equal(third.state().phase, 'COMPLETED')
    } finally {
      await store.close()
    }
  })

  it('a round killed while it was being closed (record and model written) is closed on reopening, not combined again', async () => {
    for (const interruptedRounds of ['resume', 'skip'] as const) {
      const store = await newStore()
      try {
        const first = await journalOn(store, { interruptedRounds })
        await first.register(owners)
        await first.recordInitialModel(Float64Array.from([0, 0]))
        await first.opened(1, ['do-0', 'do-1'])
        await first.accepted(1, 'do-0', fit('do-0', 1))
        await first.accepted(1, 'do-1', fit('do-1', 1))
        assert.equal(first.state().phase, 'AGGREGATING')
        // Killed inside closed(): the record and the model are written, not the transition.
        await store.recordMessage({
          runId: 'run-1',
          round: 1,
          sender: 'provider',
          messageId: 'round-record',
          kind: 'round-record',
          receivedAt: 2_000,
          metadata: JSON.parse(JSON.stringify(record(1))),
        })
        await store.putModelVersion({
          runId: 'run-1',
          version: 1,
          round: 1,
          bytes: encodeMessage(Float64Array.from([5, 6])),
          createdAt: 2_000,
        })
        const second = await journalOn(store, { interruptedRounds })
        assert.equal(second.state().phase, 'WAITING_FOR_CLIENTS', interruptedRounds)
        assert.equal(second.resume?.round, 2)
        assert.equal(second.resume?.interrupted, false)
        assert.deepEqual(second.resume?.params, Float64Array.from([5, 6]))
        assert.deepEqual(second.resume?.history, [record(1)])
        const inputs = (await store.listTransitions('run-1')).map((t) => t.input.type)
        assert.equal(inputs.at(-1), 'aggregated')
      } finally {
        await store.close()
      }
    }
  })

  it('an operator pause holds the next round until resumed; an abort stops the run', async () => {
    const store = await newStore()
    try {
      const journal = await journalOn(store, { pausePollMs: 5 })
      await journal.register(owners)
      await requestControl(store, 'run-1', 'pause', 'maintenance', 1)
      let opened = false
      const opening = journal.opened(1, ['do-0', 'do-1']).then(() => {
        opened = true
      })
      await new Promise((resolve) => setTimeout(resolve, 50))
      assert.equal(opened, false, 'held while paused')
      assert.equal((await store.loadRun('run-1'))?.phase, 'WAITING_FOR_CLIENTS')
      await requestControl(store, 'run-1', 'resume', 'done', 2)
      await opening
      assert.equal(journal.state().phase, 'TRAINING')

      const aborted = await abortRun(store, 'run-1', 'wrong data', 3)
      assert.equal(aborted.phase, 'FAILED')
      const refused = await journal.accepted(1, 'do-0', fit('do-0', 1)).then(
        () => 'accepted',
        (e: Error) => e.message,
      )
      assert.match(refused, /run run-1 was stopped: aborted by the operator: wrong data/)
      await assert.rejects(journalOn(store), /run run-1 is FAILED in the store/)
    } finally {
      await store.close()
    }
  })

  it('msfl runs, runs show and run pause|abort read and write the same store', async () => {
    const file = join(dir, 'cli.sqlite')
    const store = await openSqliteRunStore(file)
    try {
      const journal = await journalOn(store)
      await journal.register(owners)
      await journal.opened(1, ['do-0', 'do-1'])
    } finally {
      await store.close()
    }
    const listed = runCli(['runs', '--store', file, '--json'])
    assert.equal(listed.status, 0, listed.stderr)
    assert.deepEqual(
      JSON.parse(listed.stdout).runs.map((r: { runId: string; phase: string }) => [
        r.runId,
        r.phase,
      ]),
      [['run-1', 'TRAINING']],
    )
    const paused = runCli(['run', 'pause', 'run-1', '--store', file, '--reason', 'disk swap'])
    assert.equal(paused.status, 0, paused.stderr)
    assert.match(runCli(['runs', '--store', file]).stdout, /paused by the operator: disk swap/)
    const aborted = runCli(['run', 'abort', 'run-1', '--store', file, '--reason', 'bad job'])
    assert.equal(aborted.status, 0, aborted.stderr)
    const shown = runCli(['runs', 'show', 'run-1', '--store', file])
    assert.match(shown.stdout, /run-1 {2}FAILED .*failed: aborted by the operator: bad job/)
    assert.match(shown.stdout, /round 1 {2}FAILED {2}asked do-0,do-1 {2}answered -/)
    assert.match(shown.stdout, /open-round WAITING_FOR_CLIENTS → TRAINING/)
    assert.doesNotMatch(shown.stdout, /paused/, 'a final run is not shown as paused')
    // Flags are validated, naming the field.
    assert.match(
      runCli(['run', 'stop', 'run-1', '--store', file]).stderr,
      /--action: must be pause, resume or abort/,
    )
    assert.match(
      runCli(['run', 'pause', 'a b', '--store', file]).stderr,
      /--id: must start with a letter/,
    )
    assert.match(runCli(['runs']).stderr, /--store: is required/)
    assert.match(
      runCli(['run', 'resume', 'run-1', '--store', file]).stderr,
      /run-1 is FAILED: nothing to resume/,
    )
  })
})
