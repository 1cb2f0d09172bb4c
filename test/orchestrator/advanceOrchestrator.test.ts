import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { advanceOrchestrator } from '../../src/core/orchestrator/advanceOrchestrator.ts'
import type { OrchestratorEffect } from '../../src/core/orchestrator/orchestratorEffect.ts'
import type { OrchestratorInput } from '../../src/core/orchestrator/orchestratorInput.ts'
import {
  initialOrchestratorState,
  type OrchestratorState,
} from '../../src/core/orchestrator/orchestratorState.ts'
import { planTransition } from '../../src/core/orchestrator/plannedTransition.ts'
import { parseRoundPolicy, type RoundPolicy } from '../../src/core/orchestrator/roundPolicy.ts'
import type { RunPhase } from '../../src/core/orchestrator/runPhase.ts'

const policy: RoundPolicy = {
  rounds: 2,
  fraction: 0.5,
  minClients: 2,
  quorum: 2,
  roundDeadlineMs: 1_000,
  maxRoundAttempts: 2,
}
const SHA = 'ab'.repeat(32)

function apply(
  state: OrchestratorState,
  input: OrchestratorInput,
): { state: OrchestratorState; effects: readonly OrchestratorEffect[] } {
  const step = advanceOrchestrator(state, input)
  assert.equal(step.kind, 'transition', step.kind === 'refused' ? step.reason : '')
  if (step.kind !== 'transition') throw new Error('unreachable')
  assert.equal(step.state.version, state.version + 1, 'every transition bumps the version')
  return step
}

function applyAll(state: OrchestratorState, inputs: readonly OrchestratorInput[]) {
  return inputs.reduce((s, input) => apply(s, input).state, state)
}

const register = (name: string, at = 0): OrchestratorInput => ({ type: 'register', name, at })
const disconnect = (name: string, at = 0): OrchestratorInput => ({ type: 'disconnect', name, at })
const update = (sender: string, round: number, at = 10): OrchestratorInput => ({
  type: 'update',
  round,
  sender,
  messageId: `m-${sender}-${round}`,
  at,
})

const waiting = initialOrchestratorState('run-1', policy)
const ready = applyAll(
  waiting,
  ['a', 'b', 'c', 'd'].map((n) => register(n)),
)
const training = apply(ready, { type: 'open-round', at: 0, selectionSeed: 7 }).state
const [first, second] = training.selected as [string, string]
const aggregating = applyAll(training, [update(first, 1), update(second, 1)])
const betweenRounds = apply(aggregating, { type: 'aggregated', at: 20, modelSha256: SHA }).state
const paused = applyAll(
  betweenRounds,
  ['a', 'b', 'c'].map((n) => disconnect(n)),
)
const failed = apply(training, { type: 'abort', at: 5, reason: 'operator abort' }).state
const completed = (() => {
  const open = apply(betweenRounds, { type: 'open-round', at: 100, selectionSeed: 1 }).state
  const agg = applyAll(
    open,
    open.selected.map((n) => update(n, 2, 150)),
  )
  return apply(agg, { type: 'aggregated', at: 200, modelSha256: SHA }).state
})()

const states: Record<RunPhase, OrchestratorState> = {
  WAITING_FOR_CLIENTS: ready,
  TRAINING: training,
  AGGREGATING: aggregating,
  PAUSED_INSUFFICIENT_CLIENTS: paused,
  COMPLETED: completed,
  FAILED: failed,
}

describe('the round state machine: legal transitions', () => {
  it('registration collects owners and says when a round can open', () => {
    const one = apply(waiting, register('b'))
    assert.deepEqual(one.effects, [])
    const two = apply(one.state, register('a'))
    assert.deepEqual(two.state.connected, ['a', 'b'])
    assert.deepEqual(two.effects, [{ type: 'clients-ready', round: 1, connected: 2 }])
    assert.equal(two.state.phase, 'WAITING_FOR_CLIENTS')
  })

  it('opening a round selects the fraction of connected owners and arms an absolute deadline', () => {
    const step = apply(ready, { type: 'open-round', at: 5_000, selectionSeed: 7 })
    assert.equal(step.state.phase, 'TRAINING')
    assert.equal(step.state.selected.length, 2)
    assert.equal(step.state.deadlineAt, 6_000)
    assert.deepEqual(step.effects, [
      {
        type: 'request-updates',
        round: 1,
        attempt: 1,
        clients: step.state.selected,
        deadlineAt: 6_000,
      },
    ])
    // The seed is data: the same seed selects the same owners, another seed may not.
    const again = apply(ready, { type: 'open-round', at: 0, selectionSeed: 7 })
    assert.deepEqual(again.state.selected, step.state.selected)
    const selections = new Set(
      [1, 2, 3, 4, 5, 6, 8, 9].map((seed) =>
        apply(ready, { type: 'open-round', at: 0, selectionSeed: seed }).state.selected.join(),
      ),
    )
    assert.ok(selections.size > 1, 'different seeds select different owners')
  })

  it('a round may ask the owners a strategy drew, but only registered ones and as many as the policy asks of them', () => {
    const drawn = apply(ready, { type: 'open-round', at: 0, selectionSeed: 7, drawn: ['d', 'a'] })
    assert.deepEqual(
      drawn.state.selected,
      ['d', 'a'],
      'the drawn order is kept: it is the order updates are combined in',
    )
    const refusedFor = (names: readonly string[]) => {
      const step = advanceOrchestrator(ready, {
        type: 'open-round',
        at: 0,
        selectionSeed: 7,
        drawn: names,
      })
      assert.equal(step.kind, 'refused')
      return step.kind === 'refused' ? `${step.code}: ${step.reason}` : ''
    }
    assert.match(refusedFor(['a', 'x']), /^illegal: .*x: it never registered/)
    assert.match(
      refusedFor(['a', 'a']),
      /^illegal: .*asks 2 distinct registered owners, 2 were drawn/,
    )
    assert.match(refusedFor(['a', 'b', 'c']), /^illegal: .*3 were drawn/)
    // A drawn owner whose connection dropped is still asked (it will miss the round), so the
    // draw stays the one the job makes in simulation.
    const withoutB = apply(ready, { type: 'disconnect', name: 'b', at: 0 }).state
    const asked = apply(withoutB, {
      type: 'open-round',
      at: 0,
      selectionSeed: 7,
      drawn: ['b', 'a'],
    })
    assert.deepEqual(asked.state.selected, ['b', 'a'])
  })

  it('the last selected update moves the round to AGGREGATING with every contributor', () => {
    const one = apply(training, update(first, 1))
    assert.equal(one.state.phase, 'TRAINING')
    assert.deepEqual(one.effects, [])
    const two = apply(one.state, update(second, 1))
    assert.equal(two.state.phase, 'AGGREGATING')
    assert.deepEqual(two.effects, [
      { type: 'aggregate', round: 1, contributors: [first, second], stragglers: [] },
    ])
  })

  it('at the deadline a round with its quorum aggregates without the stragglers', () => {
    const wide = { ...ready, policy: { ...policy, fraction: 1, quorum: 2 } }
    const open = apply(wide, { type: 'open-round', at: 0, selectionSeed: 1 }).state
    const two = applyAll(open, [update('c', 1), update('a', 1)])
    const closed = apply(two, { type: 'deadline', at: 1_000 })
    assert.equal(closed.state.phase, 'AGGREGATING')
    assert.deepEqual(closed.effects, [
      { type: 'aggregate', round: 1, contributors: ['c', 'a'], stragglers: ['b', 'd'] },
    ])
  })

  it('below quorum at the deadline the round reopens, then the run fails after the last attempt', () => {
    const one = apply(training, update(first, 1))
    const missed = apply(one.state, { type: 'deadline', at: 1_000 })
    assert.equal(missed.state.phase, 'WAITING_FOR_CLIENTS')
    assert.equal(missed.state.round, 1)
    assert.deepEqual(missed.state.selected, [])
    assert.deepEqual(missed.effects, [
      { type: 'round-abandoned', round: 1, attempt: 1, received: 1, quorum: 2 },
      { type: 'clients-ready', round: 1, connected: 4 },
    ])
    const reopened = apply(missed.state, { type: 'open-round', at: 2_000, selectionSeed: 3 })
    assert.equal(reopened.state.attempt, 2)
    const last = apply(reopened.state, { type: 'deadline', at: 3_000 })
    assert.equal(last.state.phase, 'FAILED')
    assert.match(last.state.failure ?? '', /missed its quorum of 2 2 times/)
    assert.equal(last.effects.at(-1)?.type, 'run-failed')
  })

  it('below quorum at the deadline with too few owners connected pauses the run', () => {
    const gone = applyAll(
      training,
      ['a', 'b', 'c'].map((n) => disconnect(n)),
    )
    assert.equal(gone.phase, 'TRAINING', 'an open round decides at its deadline, not on a drop')
    const step = apply(gone, { type: 'deadline', at: 1_000 })
    assert.equal(step.state.phase, 'PAUSED_INSUFFICIENT_CLIENTS')
    assert.deepEqual(step.effects.at(-1), { type: 'paused', round: 1, connected: 1, needed: 2 })
  })

  it('aggregation closes the round and moves to the next, or completes after the last', () => {
    const step = apply(aggregating, { type: 'aggregated', at: 20, modelSha256: SHA })
    assert.equal(step.state.phase, 'WAITING_FOR_CLIENTS')
    assert.equal(step.state.round, 2)
    assert.equal(step.state.attempt, 0)
    assert.equal(step.state.modelSha256, SHA)
    assert.equal('deadlineAt' in step.state, false, 'a cleared deadline is dropped, not undefined')
    assert.deepEqual(step.effects, [
      { type: 'round-closed', round: 1, modelSha256: SHA },
      { type: 'clients-ready', round: 2, connected: 4 },
    ])
    assert.equal(completed.phase, 'COMPLETED')
    assert.equal(completed.round, 2)
  })

  it('a drop below the minimum between rounds pauses; enough returning owners resume', () => {
    assert.equal(paused.phase, 'PAUSED_INSUFFICIENT_CLIENTS')
    const still = apply(paused, register('e'))
    assert.equal(still.state.phase, 'WAITING_FOR_CLIENTS', 'd and e make two')
    assert.deepEqual(still.effects, [
      { type: 'resumed', round: 2, connected: 2 },
      { type: 'clients-ready', round: 2, connected: 2 },
    ])
    const lonely = apply(applyAll(paused, [disconnect('d')]), register('a'))
    assert.equal(lonely.state.phase, 'PAUSED_INSUFFICIENT_CLIENTS', 'one owner is not enough')
  })

  it('during registration a disconnect keeps the run waiting', () => {
    const step = apply(ready, disconnect('a'))
    assert.equal(step.state.phase, 'WAITING_FOR_CLIENTS')
    assert.deepEqual(step.state.connected, ['b', 'c', 'd'])
    assert.deepEqual(step.state.registered, ['a', 'b', 'c', 'd'])
  })

  it('owners connect and disconnect while a round trains or aggregates without changing phase', () => {
    for (const state of [training, aggregating]) {
      assert.equal(apply(state, register('e')).state.phase, state.phase)
      assert.equal(apply(state, disconnect('a')).state.phase, state.phase)
    }
  })

  it('abort fails the run from every phase that is not final', () => {
    for (const phase of [
      'WAITING_FOR_CLIENTS',
      'TRAINING',
      'AGGREGATING',
      'PAUSED_INSUFFICIENT_CLIENTS',
    ] as const) {
      const step = apply(states[phase], { type: 'abort', at: 1, reason: 'stop' })
      assert.equal(step.state.phase, 'FAILED', phase)
      assert.equal(step.state.failure, 'stop')
      assert.deepEqual(step.effects, [{ type: 'run-failed', reason: 'stop' }])
    }
  })

  it('restart-round sends an open round back to its request: same round, updates set aside, next opening a new attempt', () => {
    for (const state of [training, aggregating]) {
      const step = apply(state, { type: 'restart-round', at: 3, reason: 'server restarted' })
      assert.equal(step.state.phase, 'WAITING_FOR_CLIENTS')
      assert.equal(step.state.round, state.round)
      assert.deepEqual(step.state.received, [])
      assert.deepEqual(step.state.selected, [])
      assert.equal(step.state.deadlineAt, undefined)
      assert.deepEqual(step.effects[0], {
        type: 'round-restarted',
        round: 1,
        attempt: 1,
        reason: 'server restarted',
      })
      const reopened = apply(step.state, { type: 'open-round', at: 4, selectionSeed: 7 }).state
      assert.equal(reopened.attempt, 2)
      // An update of the set-aside attempt counts again only once, in the new attempt.
      assert.equal(apply(reopened, update(first, 1)).state.received.length, 1)
    }
    // With fewer owners connected than the minimum, it waits paused instead.
    const short = applyAll(
      training,
      ['a', 'b', 'c'].map((n) => disconnect(n)),
    )
    const step = apply(short, { type: 'restart-round', at: 3, reason: 'server restarted' })
    assert.equal(step.state.phase, 'PAUSED_INSUFFICIENT_CLIENTS')
  })

  it('a poisson policy opens a round with any number of distinct registered owners, none included; an empty round closes at its deadline', () => {
    const drawnOf = (drawn: string[]) =>
      advanceOrchestrator(ready, { type: 'open-round', at: 0, selectionSeed: 0, drawn })
    // Fixed sampling asks exactly its share (half of the four registered owners).
    assert.equal(drawnOf(['a']).kind, 'refused')
    const poisson = { ...ready, policy: { ...ready.policy, sampling: 'poisson' as const } }
    const open = (drawn: string[]) =>
      advanceOrchestrator(poisson, { type: 'open-round', at: 0, selectionSeed: 0, drawn })
    for (const drawn of [[], ['a'], ['a', 'b', 'c']]) assert.equal(open(drawn).kind, 'transition')
    assert.equal(open(['a', 'a']).kind, 'refused', 'distinct owners only')
    assert.equal(open(['stranger']).kind, 'refused', 'registered owners only')
    const empty = apply(poisson, { type: 'open-round', at: 0, selectionSeed: 0, drawn: [] }).state
    const closed = apply(empty, { type: 'deadline', at: 1_000 })
    assert.equal(closed.state.phase, 'AGGREGATING')
    // Two asked, quorum 2, one answered by the deadline: the round goes on with what it has
    // only if it asked fewer than the quorum; here it did not, so it is abandoned.
    const two = apply(poisson, { type: 'open-round', at: 0, selectionSeed: 0, drawn: ['a', 'b'] })
    const half = apply(two.state, update('a', 1)).state
    assert.equal(apply(half, { type: 'deadline', at: 1_000 }).state.phase, 'WAITING_FOR_CLIENTS')
    // One asked, quorum 2: its answer is all the round can have, and it moves on.
    const one = apply(poisson, { type: 'open-round', at: 0, selectionSeed: 0, drawn: ['a'] }).state
    assert.equal(apply(one, update('a', 1)).state.phase, 'AGGREGATING')
  })

  it('skip-round closes an open round for good with the model it started from: the next round waits, an update of it is late', () => {
    for (const state of [training, aggregating]) {
      const step = apply(state, {
        type: 'skip-round',
        at: 3,
        reason: 'restarted',
        modelSha256: SHA,
      })
      assert.equal(step.state.phase, 'WAITING_FOR_CLIENTS')
      assert.equal(step.state.round, state.round + 1)
      assert.equal(step.state.attempt, 0)
      assert.equal(step.state.modelSha256, SHA)
      assert.deepEqual(step.state.received, [])
      assert.deepEqual(step.effects.slice(0, 2), [
        { type: 'round-skipped', round: 1, attempt: 1, reason: 'restarted' },
        { type: 'round-closed', round: 1, modelSha256: SHA },
      ])
      const late = advanceOrchestrator(step.state, update(first, 1))
      assert.equal(late.kind, 'refused')
      if (late.kind === 'refused') assert.equal(late.code, 'late')
    }
    // Skipping the last round completes the run.
    const lastOpen = apply(betweenRounds, { type: 'open-round', at: 100, selectionSeed: 1 }).state
    const done = apply(lastOpen, { type: 'skip-round', at: 101, reason: 'x', modelSha256: SHA })
    assert.equal(done.state.phase, 'COMPLETED')
    assert.deepEqual(done.effects.at(-1), { type: 'run-completed', rounds: 2, modelSha256: SHA })
  })

  it('planTransition packages the plan from the current version with the message', () => {
    const plan = planTransition(ready, { type: 'open-round', at: 0, selectionSeed: 7 })
    assert.equal(plan.kind, 'planned')
    if (plan.kind !== 'planned') return
    assert.equal(plan.transition.fromVersion, ready.version)
    assert.equal(plan.transition.state.version, ready.version + 1)
    assert.equal(plan.transition.pendingEffects[0]?.type, 'request-updates')
  })
})

describe('the round state machine: illegal transitions are refused with a reason', () => {
  const all: Record<string, OrchestratorInput> = {
    register: register('z'),
    disconnect: disconnect('a'),
    'open-round': { type: 'open-round', at: 0, selectionSeed: 1 },
    update: update(first, 1),
    deadline: { type: 'deadline', at: 1_000_000 },
    aggregated: { type: 'aggregated', at: 0, modelSha256: SHA },
    'restart-round': { type: 'restart-round', at: 0, reason: 'x' },
    'skip-round': { type: 'skip-round', at: 0, reason: 'x', modelSha256: SHA },
    abort: { type: 'abort', at: 0, reason: 'x' },
  }
  // What each phase refuses, and with which code; every other input is a legal transition above.
  const refused: Record<RunPhase, Record<string, string>> = {
    WAITING_FOR_CLIENTS: {
      update: 'early',
      deadline: 'illegal',
      aggregated: 'illegal',
      'restart-round': 'illegal',
      'skip-round': 'illegal',
    },
    TRAINING: { 'open-round': 'illegal', aggregated: 'illegal' },
    AGGREGATING: { 'open-round': 'illegal', update: 'late', deadline: 'illegal' },
    PAUSED_INSUFFICIENT_CLIENTS: {
      'open-round': 'illegal',
      update: 'late',
      deadline: 'illegal',
      aggregated: 'illegal',
      'restart-round': 'illegal',
      'skip-round': 'illegal',
    },
    COMPLETED: Object.fromEntries(Object.keys(all).map((k) => [k, 'finished'])),
    FAILED: Object.fromEntries(Object.keys(all).map((k) => [k, 'finished'])),
  }
  for (const [phase, state] of Object.entries(states) as [RunPhase, OrchestratorState][])
    for (const [name, input] of Object.entries(all))
      it(`${phase} + ${name}: ${refused[phase][name] ?? 'applies'}`, () => {
        assert.equal(state.phase, phase)
        const step = advanceOrchestrator(state, input)
        const code = refused[phase][name]
        if (code === undefined) assert.equal(step.kind, 'transition')
        else {
          assert.equal(step.kind, 'refused')
          if (step.kind === 'refused') {
            assert.equal(step.code, code)
            assert.ok(step.reason.length > 10)
          }
        }
      })

  it('updates are refused when late, unselected, duplicated, early or from a closed round', () => {
    const outsider = ready.connected.find((n) => !training.selected.includes(n))!
    const cases: [OrchestratorState, OrchestratorInput, string][] = [
      [training, update(first, 1, 1_001), 'late'],
      [training, update(outsider, 1), 'not-selected'],
      [apply(training, update(first, 1)).state, update(first, 1), 'duplicate'],
      [training, update(first, 2), 'early'],
      [betweenRounds, update(first, 1), 'late'],
    ]
    for (const [state, input, code] of cases) {
      const step = advanceOrchestrator(state, input)
      assert.equal(step.kind === 'refused' && step.code, code, JSON.stringify(input))
    }
  })

  it('a deadline before it is due, an unknown owner and a round without enough owners are refused', () => {
    const early = advanceOrchestrator(training, { type: 'deadline', at: 999 })
    assert.equal(early.kind === 'refused' && early.code, 'not-due')
    const stranger = advanceOrchestrator(training, disconnect('nobody'))
    assert.equal(stranger.kind === 'refused' && stranger.code, 'unknown-participant')
    const lonely = applyAll(waiting, [register('a')])
    const open = advanceOrchestrator(lonely, { type: 'open-round', at: 0, selectionSeed: 1 })
    assert.equal(open.kind === 'refused' && open.code, 'insufficient-clients')
  })

  it('a refused input leaves the state untouched (the machine is pure)', () => {
    const before = JSON.stringify(training)
    advanceOrchestrator(training, { type: 'aggregated', at: 0, modelSha256: SHA })
    advanceOrchestrator(training, update(first, 1))
    assert.equal(JSON.stringify(training), before)
  })
})

describe('parseRoundPolicy', () => {
  it('names the field at fault', () => {
    assert.throws(
      () => parseRoundPolicy({ ...policy, quorum: 3 }),
      /policy\.quorum: must not exceed/,
    )
    assert.throws(() => parseRoundPolicy({ ...policy, fraction: 0 }), /policy\.fraction/)
    assert.throws(() => parseRoundPolicy({ ...policy, extra: 1 }), /policy/)
    assert.deepEqual(parseRoundPolicy(policy), policy)
  })
})
