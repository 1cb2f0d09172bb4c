import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { describe, it } from 'node:test'
import type { OrchestratorInput } from '../../src/core/orchestrator/orchestratorInput.ts'
import { initialOrchestratorState } from '../../src/core/orchestrator/orchestratorState.ts'
import {
  type CommittedTransition,
  planTransition,
} from '../../src/core/orchestrator/plannedTransition.ts'
import type { ReceivedMessage } from '../../src/core/orchestrator/receivedMessage.ts'
import type { RoundPolicy } from '../../src/core/orchestrator/roundPolicy.ts'
import type { RunStore } from '../../src/core/ports/runStore.ts'

/** A fresh, empty database for one test, which can be opened several times (several writers). */
export interface StoreFixture {
  open(): Promise<RunStore>
}

export const policy: RoundPolicy = {
  rounds: 2,
  fraction: 1,
  minClients: 2,
  quorum: 2,
  roundDeadlineMs: 60_000,
  maxRoundAttempts: 3,
}
const OWNERS = ['owner-1', 'owner-2', 'owner-3']

export function updateMessage(
  runId: string,
  round: number,
  sender: string,
  bytes: number[] = [round, 1, 2, 3],
): ReceivedMessage {
  return {
    runId,
    round,
    sender,
    messageId: `fit-${round}-${sender}`,
    kind: 'fit-reply',
    receivedAt: 1_000 + round,
    metadata: { numExamples: 10, trainLoss: 0.5 },
    payload: new Uint8Array(bytes),
  }
}

/** Loads the run, applies one input through the state machine and commits it. */
export async function step(
  store: RunStore,
  runId: string,
  input: OrchestratorInput,
  message?: ReceivedMessage,
): Promise<CommittedTransition> {
  const state = await store.loadRun(runId)
  assert.ok(state, `run ${runId} exists`)
  const plan = planTransition(state, input, message)
  assert.equal(plan.kind, 'planned', plan.kind === 'refused' ? plan.reason : '')
  if (plan.kind !== 'planned') throw new Error('unreachable')
  const outcome = await store.transition(plan.transition, input.at)
  assert.equal(outcome.outcome, 'committed')
  if (outcome.outcome !== 'committed') throw new Error('unreachable')
  return outcome
}

export function updateInput(round: number, sender: string, at = 2_000): OrchestratorInput {
  return { type: 'update', round, sender, messageId: `fit-${round}-${sender}`, at }
}

/** Creates a run with three registered owners and round 1 open (all three selected). */
export async function trainingRun(store: RunStore, runId: string): Promise<void> {
  assert.equal(await store.createRun(initialOrchestratorState(runId, policy), 0), 'created')
  for (const name of OWNERS) await step(store, runId, { type: 'register', name, at: 1 })
  await step(store, runId, { type: 'open-round', at: 10, selectionSeed: 5 })
}

/** The same behaviour, whichever engine is underneath. */
export function runStoreSuite(engine: string, fresh: () => Promise<StoreFixture>): void {
  describe(`RunStore on ${engine}`, () => {
    it('creates a run once and reads it back at version 0', async () => {
      const store = await (await fresh()).open()
      try {
        const state = initialOrchestratorState('run-a', policy)
        assert.equal(await store.createRun(state, 5), 'created')
        assert.equal(await store.createRun(state, 6), 'exists')
        assert.deepEqual(await store.loadRun('run-a'), state)
        assert.equal(await store.loadRun('run-b'), undefined)
        const [summary] = await store.listRuns()
        assert.deepEqual(summary, {
          runId: 'run-a',
          phase: 'WAITING_FOR_CLIENTS',
          round: 1,
          rounds: 2,
          version: 0,
          createdAt: 5,
          updatedAt: 5,
        })
      } finally {
        await store.close()
      }
    })

    it('a transition is durable (another connection sees it) before its effects are handed out', async () => {
      const fixture = await fresh()
      const [writer, reader] = [await fixture.open(), await fixture.open()]
      try {
        await trainingRun(writer, 'run-a')
        const seen = await reader.loadRun('run-a')
        assert.equal(seen?.phase, 'TRAINING')
        assert.equal(seen?.version, 4)
        assert.deepEqual(seen?.selected, OWNERS)
        const history = await reader.listTransitions('run-a')
        assert.deepEqual(
          history.map((t) => [t.sequence, t.fromPhase, t.toPhase, t.input.type]),
          [
            [1, 'WAITING_FOR_CLIENTS', 'WAITING_FOR_CLIENTS', 'register'],
            [2, 'WAITING_FOR_CLIENTS', 'WAITING_FOR_CLIENTS', 'register'],
            [3, 'WAITING_FOR_CLIENTS', 'WAITING_FOR_CLIENTS', 'register'],
            [4, 'WAITING_FOR_CLIENTS', 'TRAINING', 'open-round'],
          ],
        )
        assert.equal(history[3]?.effects[0]?.type, 'request-updates')
        const [round] = await reader.listRounds('run-a')
        assert.deepEqual(round, {
          runId: 'run-a',
          round: 1,
          attempt: 1,
          phase: 'TRAINING',
          selected: OWNERS,
          received: [],
          deadlineAt: 60_010,
          updatedAt: 10,
        })
      } finally {
        await writer.close()
        await reader.close()
      }
    })

    it('a plan made from an older version is refused as a conflict and writes nothing', async () => {
      const store = await (await fresh()).open()
      try {
        await trainingRun(store, 'run-a')
        const before = await store.loadRun('run-a')
        assert.ok(before)
        const plan = planTransition(
          before,
          updateInput(1, 'owner-1'),
          updateMessage('run-a', 1, 'owner-1'),
        )
        assert.equal(plan.kind, 'planned')
        if (plan.kind !== 'planned') return
        await step(store, 'run-a', { type: 'register', name: 'owner-4', at: 20 })
        const outcome = await store.transition(plan.transition, 30)
        assert.deepEqual(outcome, { outcome: 'conflict', currentVersion: 5 })
        assert.deepEqual(await store.listMessages('run-a', 1), [], 'the message rolled back too')
        assert.equal((await store.loadRun('run-a'))?.version, 5)
      } finally {
        await store.close()
      }
    })

    it('the same message twice is recorded once and reports duplicate; the first copy counts', async () => {
      const store = await (await fresh()).open()
      try {
        await trainingRun(store, 'run-a')
        const first = updateMessage('run-a', 1, 'owner-1', [1, 2, 3])
        assert.equal(await store.recordMessage(first), 'recorded')
        assert.equal(
          await store.recordMessage({ ...first, payload: new Uint8Array([9]) }),
          'duplicate',
        )
        const stored = await store.listMessages('run-a', 1)
        assert.equal(stored.length, 1)
        assert.deepEqual(stored[0]?.payload, new Uint8Array([1, 2, 3]))
        assert.equal(
          stored[0]?.payloadSha256,
          createHash('sha256')
            .update(new Uint8Array([1, 2, 3]))
            .digest('hex'),
        )
        assert.deepEqual(stored[0]?.metadata, { numExamples: 10, trainLoss: 0.5 })
        // A transition carrying an already recorded message commits nothing.
        const state = await store.loadRun('run-a')
        assert.ok(state)
        const plan = planTransition(state, updateInput(1, 'owner-1'), first)
        assert.equal(plan.kind, 'planned')
        if (plan.kind !== 'planned') return
        assert.deepEqual(await store.transition(plan.transition, 40), { outcome: 'duplicate' })
        assert.equal((await store.loadRun('run-a'))?.version, state.version)
        assert.equal((await store.listTransitions('run-a')).length, state.version)
      } finally {
        await store.close()
      }
    })

    it('an update and its message commit together; a replay is refused by the state machine', async () => {
      const store = await (await fresh()).open()
      try {
        await trainingRun(store, 'run-a')
        const message = updateMessage('run-a', 1, 'owner-2')
        await step(store, 'run-a', updateInput(1, 'owner-2'), message)
        assert.equal((await store.listMessages('run-a', 1)).length, 1)
        const state = await store.loadRun('run-a')
        assert.deepEqual(state?.received, ['owner-2'])
        assert.ok(state)
        const replay = planTransition(state, updateInput(1, 'owner-2'), message)
        assert.equal(replay.kind === 'refused' && replay.code, 'duplicate')
      } finally {
        await store.close()
      }
    })

    it('concurrent writers: one of two plans from the same version wins, a message is counted once', async () => {
      const fixture = await fresh()
      const [a, b] = [await fixture.open(), await fixture.open()]
      try {
        await trainingRun(a, 'run-a')
        const state = await a.loadRun('run-a')
        assert.ok(state)
        const plans = ['owner-1', 'owner-2'].map((sender) => {
          const plan = planTransition(
            state,
            updateInput(1, sender),
            updateMessage('run-a', 1, sender),
          )
          assert.equal(plan.kind, 'planned')
          return plan.kind === 'planned' ? plan.transition : assert.fail()
        })
        const outcomes = await Promise.all([
          a.transition(plans[0]!, 50),
          b.transition(plans[1]!, 50),
        ])
        assert.deepEqual(outcomes.map((o) => o.outcome).sort(), ['committed', 'conflict'])
        assert.equal((await b.loadRun('run-a'))?.received.length, 1)
        assert.equal((await a.listMessages('run-a', 1)).length, 1, 'the loser wrote nothing')

        const same = updateMessage('run-a', 2, 'owner-3')
        const answers = await Promise.all(
          Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).recordMessage(same)),
        )
        assert.equal(answers.filter((x) => x === 'recorded').length, 1)
        assert.equal(answers.filter((x) => x === 'duplicate').length, 9)

        const event = (i: number) => ({
          type: 'run-failed' as const,
          runId: 'run-a',
          at: i,
          error: `e${i}`,
        })
        const sequences = await Promise.all(
          Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).appendEvent(event(i))),
        )
        assert.equal(new Set(sequences).size, 20)
        const stored = await a.listEvents('run-a')
        assert.equal(stored.length, 20)
        assert.deepEqual(
          stored.map((s) => s.sequence),
          [...sequences].sort((x, y) => x - y),
        )
      } finally {
        await a.close()
        await b.close()
      }
    })

    it('drives a run to COMPLETED across a reopen, keeping rounds, models and events', async () => {
      const fixture = await fresh()
      let store = await fixture.open()
      try {
        await trainingRun(store, 'run-a')
        for (const owner of OWNERS)
          await step(store, 'run-a', updateInput(1, owner), updateMessage('run-a', 1, owner))
        const model1 = new Uint8Array([1, 1, 1])
        const { sha256 } = await store.putModelVersion({
          runId: 'run-a',
          version: 1,
          round: 1,
          bytes: model1,
          createdAt: 3_000,
        })
        await step(store, 'run-a', { type: 'aggregated', at: 3_000, modelSha256: sha256 })
        await store.close()
        store = await fixture.open()
        await step(store, 'run-a', { type: 'open-round', at: 4_000, selectionSeed: 1 })
        await step(
          store,
          'run-a',
          updateInput(2, 'owner-1', 5_000),
          updateMessage('run-a', 2, 'owner-1'),
        )
        await step(
          store,
          'run-a',
          updateInput(2, 'owner-3', 5_000),
          updateMessage('run-a', 2, 'owner-3'),
        )
        const close = await step(store, 'run-a', { type: 'deadline', at: 64_000 })
        assert.deepEqual(close.effects, [
          {
            type: 'aggregate',
            round: 2,
            contributors: ['owner-1', 'owner-3'],
            stragglers: ['owner-2'],
          },
        ])
        const done = await step(store, 'run-a', {
          type: 'aggregated',
          at: 65_000,
          modelSha256: sha256,
        })
        assert.equal(done.state.phase, 'COMPLETED')
        assert.equal(done.effects.at(-1)?.type, 'run-completed')
        const rounds = await store.listRounds('run-a')
        assert.deepEqual(
          rounds.map((r) => [r.round, r.phase, r.received.length]),
          [
            [1, 'COMPLETED', 3],
            [2, 'COMPLETED', 2],
          ],
        )
        const latest = await store.loadModelVersion('run-a')
        assert.deepEqual(latest?.bytes, model1)
        assert.equal(latest?.sha256, sha256)
        assert.equal((await store.listRuns())[0]?.phase, 'COMPLETED')
      } finally {
        await store.close()
      }
    })

    it('stores participants and model versions idempotently', async () => {
      const store = await (await fresh()).open()
      try {
        await store.createRun(initialOrchestratorState('run-a', policy), 0)
        const owner = {
          runId: 'run-a',
          name: 'owner-1',
          role: 'data-owner',
          certificateSerial: '0a1b2c',
          registeredAt: 1,
        }
        assert.equal(await store.recordParticipant(owner), 'recorded')
        assert.equal(await store.recordParticipant(owner), 'duplicate')
        assert.equal(
          await store.recordParticipant({ ...owner, certificateSerial: 'ff', registeredAt: 2 }),
          'recorded',
          'a renewed certificate is kept beside the old one',
        )
        assert.deepEqual(
          (await store.listParticipants('run-a')).map((p) => p.certificateSerial),
          ['0a1b2c', 'ff'],
        )
        const model = {
          runId: 'run-a',
          version: 0,
          round: 0,
          bytes: new Uint8Array([7]),
          createdAt: 1,
        }
        const first = await store.putModelVersion(model)
        assert.equal(first.outcome, 'recorded')
        assert.equal(
          first.sha256,
          createHash('sha256')
            .update(new Uint8Array([7]))
            .digest('hex'),
        )
        assert.equal((await store.putModelVersion(model)).outcome, 'duplicate')
        await assert.rejects(
          store.putModelVersion({ ...model, bytes: new Uint8Array([8]) }),
          /model\.version: version 0 of run run-a is stored with another SHA-256/,
        )
        assert.equal(await store.loadModelVersion('run-a', 3), undefined)
      } finally {
        await store.close()
      }
    })

    it('refuses bad input and names the field', async () => {
      const store = await (await fresh()).open()
      try {
        await trainingRun(store, 'run-a')
        await assert.rejects(store.loadRun('../etc/passwd'), /runId: must start with a letter/)
        await assert.rejects(
          store.createRun(initialOrchestratorState('bad id', policy), 0),
          /run\.runId: must start/,
        )
        const good = updateMessage('run-a', 1, 'owner-1')
        const bad: [Partial<ReceivedMessage> | Record<string, unknown>, RegExp][] = [
          [{ sender: 'owner 1' }, /message\.sender/],
          [{ messageId: 'has space' }, /message\.messageId/],
          [{ round: -1 }, /message\.round/],
          [{ payload: [1, 2] }, /message\.payload: expected bytes/],
          [{ metadata: { x: Number.NaN } }, /message\.metadata\.x/],
          [{ kind: 'Fit Reply' }, /message\.kind/],
          [{ extra: true }, /message: .*extra/i],
        ]
        for (const [change, pattern] of bad)
          await assert.rejects(
            store.recordMessage({ ...good, ...change } as ReceivedMessage),
            pattern,
          )
        await assert.rejects(
          store.recordParticipant({
            runId: 'run-a',
            name: 'owner-1',
            role: 'data-owner',
            certificateSerial: 'XYZ',
            registeredAt: 0,
          }),
          /participant\.certificateSerial/,
        )
        const state = await store.loadRun('run-a')
        assert.ok(state)
        const plan = planTransition(
          state,
          updateInput(1, 'owner-1'),
          updateMessage('run-a', 1, 'owner-2'),
        )
        assert.equal(plan.kind, 'planned')
        if (plan.kind !== 'planned') return
        await assert.rejects(
          store.transition(plan.transition, 1),
          /transition\.message: must be the update/,
        )
        await assert.rejects(
          store.transition({ ...plan.transition, runId: 'run/../x' }, 1),
          /transition\.runId/,
        )
        await assert.rejects(
          store.appendEvent({ type: 'run-failed', runId: 'run-a', at: -5, error: 'x' }),
          /event\.at/,
        )
        assert.deepEqual(await store.listMessages('run-a', 1), [], 'nothing was written')
      } finally {
        await store.close()
      }
    })
  })
}
