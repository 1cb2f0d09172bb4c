import { sampleClients, sampleSize } from '../fl/sampleClients.ts'
import { createSeededRng } from '../rng/seededRng.ts'
import type { OrchestratorEffect } from './orchestratorEffect.ts'
import type { OrchestratorInput } from './orchestratorInput.ts'
import type { OrchestratorState } from './orchestratorState.ts'
import { isFinalPhase } from './runPhase.ts'

/** Why an input was not applied: a stable code for programs and a sentence for people. */
export type RefusalCode =
  /** The input makes no sense in the run's phase (e.g. `aggregated` while TRAINING). */
  | 'illegal'
  /** The run is COMPLETED or FAILED. */
  | 'finished'
  /** An update for a round that is closed, or arrived after its deadline. */
  | 'late'
  /** An update from an owner the round did not ask. */
  | 'not-selected'
  /** A second update from the same owner in the same round. */
  | 'duplicate'
  /** An update for a round that is not open yet. */
  | 'early'
  /** A deadline input before the stored deadline. */
  | 'not-due'
  /** A round cannot open with fewer connected owners than `minClients`. */
  | 'insufficient-clients'
  /** A disconnect or update from a name that never registered. */
  | 'unknown-participant'

/** The result of applying one input: the next state and what to do once it is durable, or why not. */
export type OrchestratorStep =
  | {
      readonly kind: 'transition'
      readonly state: OrchestratorState
      readonly effects: readonly OrchestratorEffect[]
    }
  | { readonly kind: 'refused'; readonly code: RefusalCode; readonly reason: string }

/**
 * The round state machine: a pure function of the state and one input. It never throws for an
 * input the network or the runtime can produce; anything that does not apply is a refusal with a
 * reason. The returned state's version is one more than the input's.
 */
export function advanceOrchestrator(
  state: OrchestratorState,
  input: OrchestratorInput,
): OrchestratorStep {
  if (isFinalPhase(state.phase))
    return refuse('finished', `run ${state.runId} is ${state.phase}: ${input.type} ignored`)
  switch (input.type) {
    case 'register':
      return register(state, input.name)
    case 'disconnect':
      return disconnect(state, input.name)
    case 'open-round':
      return openRound(state, input)
    case 'update':
      return acceptUpdate(state, input)
    case 'deadline':
      return closeAtDeadline(state, input.at)
    case 'aggregated':
      return closeRound(state, input.modelSha256)
    case 'restart-round':
      return restartRound(state, input.reason)
    case 'skip-round':
      return skipRound(state, input.reason, input.modelSha256)
    case 'abort':
      return fail(state, input.reason)
  }
}

function refuse(code: RefusalCode, reason: string): OrchestratorStep {
  return { kind: 'refused', code, reason }
}

function next(
  state: OrchestratorState,
  changes: Partial<OrchestratorState>,
  effects: readonly OrchestratorEffect[] = [],
): OrchestratorStep {
  const merged: Record<string, unknown> = { ...state, ...changes, version: state.version + 1 }
  // Cleared optional fields are dropped, not kept as undefined, so a state read back from the
  // store (JSON) is deep-equal to the one planned.
  for (const key of Object.keys(merged)) if (merged[key] === undefined) delete merged[key]
  return { kind: 'transition', state: merged as unknown as OrchestratorState, effects }
}

function sortedWith(names: readonly string[], name: string): string[] {
  return names.includes(name) ? [...names] : [...names, name].sort()
}

function register(state: OrchestratorState, name: string): OrchestratorStep {
  const connected = sortedWith(state.connected, name)
  const changes = { registered: sortedWith(state.registered, name), connected }
  const enough = connected.length >= state.policy.minClients
  const crossed = enough && state.connected.length < state.policy.minClients
  if (state.phase === 'PAUSED_INSUFFICIENT_CLIENTS' && enough)
    return next(state, { ...changes, phase: 'WAITING_FOR_CLIENTS' }, [
      { type: 'resumed', round: state.round, connected: connected.length },
      { type: 'clients-ready', round: state.round, connected: connected.length },
    ])
  if (state.phase === 'WAITING_FOR_CLIENTS' && crossed)
    return next(state, changes, [
      { type: 'clients-ready', round: state.round, connected: connected.length },
    ])
  return next(state, changes)
}

function disconnect(state: OrchestratorState, name: string): OrchestratorStep {
  if (!state.registered.includes(name))
    return refuse('unknown-participant', `${name} never registered in run ${state.runId}`)
  const connected = state.connected.filter((n) => n !== name)
  // Between rounds (after the first) a shortfall pauses the run; during registration the run
  // simply keeps waiting, and an open round decides at its deadline.
  if (
    state.phase === 'WAITING_FOR_CLIENTS' &&
    state.round > 1 &&
    connected.length < state.policy.minClients
  )
    return next(state, { connected, phase: 'PAUSED_INSUFFICIENT_CLIENTS' }, [
      paused(state, connected),
    ])
  return next(state, { connected })
}

function paused(state: OrchestratorState, connected: readonly string[]): OrchestratorEffect {
  return {
    type: 'paused',
    round: state.round,
    connected: connected.length,
    needed: state.policy.minClients,
  }
}

function openRound(
  state: OrchestratorState,
  input: Extract<OrchestratorInput, { type: 'open-round' }>,
): OrchestratorStep {
  if (state.phase !== 'WAITING_FOR_CLIENTS')
    return refuse('illegal', `cannot open round ${state.round} while ${state.phase}`)
  if (state.connected.length < state.policy.minClients)
    return refuse(
      'insufficient-clients',
      `round ${state.round} needs ${state.policy.minClients} connected owners, ${state.connected.length} are`,
    )
  const { drawn, at } = input
  if (drawn !== undefined) {
    // A strategy draws from every registered owner, as the same job does in simulation; one
    // that is not connected now is asked all the same and misses the round (a straggler).
    const size = sampleSize(state.registered.length, state.policy)
    const unknown = drawn.find((name) => !state.registered.includes(name))
    const sized = state.policy.sampling === 'poisson' || drawn.length === size
    if (unknown !== undefined || new Set(drawn).size !== drawn.length || !sized)
      return refuse(
        'illegal',
        unknown !== undefined
          ? `round ${state.round} cannot ask ${unknown}: it never registered`
          : `round ${state.round} asks ${size} distinct registered owners, ${drawn.length} were drawn`,
      )
  }
  const selected =
    drawn === undefined
      ? sampleClients(state.connected, state.policy, createSeededRng(input.selectionSeed))
      : [...drawn]
  const attempt = state.attempt + 1
  const deadlineAt = at + state.policy.roundDeadlineMs
  return next(state, { phase: 'TRAINING', attempt, selected, received: [], deadlineAt }, [
    { type: 'request-updates', round: state.round, attempt, clients: selected, deadlineAt },
  ])
}

function acceptUpdate(
  state: OrchestratorState,
  update: Extract<OrchestratorInput, { type: 'update' }>,
): OrchestratorStep {
  const { round, sender, at } = update
  if (round > state.round || (round === state.round && state.phase !== 'TRAINING'))
    return state.phase === 'AGGREGATING' && round === state.round
      ? refuse('late', `round ${round} is already aggregating`)
      : refuse(
          'early',
          `round ${round} is not open (run is ${state.phase} at round ${state.round})`,
        )
  if (round < state.round) return refuse('late', `round ${round} is closed`)
  if (!state.selected.includes(sender))
    return refuse('not-selected', `${sender} was not asked to train in round ${round}`)
  if (state.received.includes(sender))
    return refuse('duplicate', `${sender} already sent its update for round ${round}`)
  if (state.deadlineAt !== undefined && at > state.deadlineAt)
    return refuse('late', `round ${round}'s deadline passed ${at - state.deadlineAt} ms earlier`)
  const received = [...state.received, sender]
  if (received.length < state.selected.length) return next(state, { received })
  return next(state, { received, phase: 'AGGREGATING' }, [
    { type: 'aggregate', round, contributors: received, stragglers: [] },
  ])
}

function closeAtDeadline(state: OrchestratorState, at: number): OrchestratorStep {
  if (state.phase !== 'TRAINING' || state.deadlineAt === undefined)
    return refuse('illegal', `no round deadline is armed while ${state.phase}`)
  if (at < state.deadlineAt)
    return refuse('not-due', `round ${state.round}'s deadline is ${state.deadlineAt - at} ms away`)
  const { policy, received, selected } = state
  // A Poisson round may ask fewer owners than the quorum (none, even): all of them suffice.
  if (received.length >= Math.min(policy.quorum, selected.length)) {
    const stragglers = selected.filter((n) => !received.includes(n))
    return next(state, { phase: 'AGGREGATING' }, [
      { type: 'aggregate', round: state.round, contributors: received, stragglers },
    ])
  }
  const abandoned: OrchestratorEffect = {
    type: 'round-abandoned',
    round: state.round,
    attempt: state.attempt,
    received: received.length,
    quorum: policy.quorum,
  }
  if (state.attempt >= policy.maxRoundAttempts)
    return fail(
      state,
      `round ${state.round} missed its quorum of ${policy.quorum} ${state.attempt} times`,
      [abandoned],
    )
  return between(state, { selected: [], received: [], deadlineAt: undefined }, [abandoned])
}

/** Back between rounds: waiting when enough owners are connected, paused otherwise. */
function between(
  state: OrchestratorState,
  changes: Partial<OrchestratorState>,
  effects: readonly OrchestratorEffect[],
): OrchestratorStep {
  const round = changes.round ?? state.round
  const connected = state.connected.length
  if (connected < state.policy.minClients)
    return next(state, { ...changes, phase: 'PAUSED_INSUFFICIENT_CLIENTS' }, [
      ...effects,
      { type: 'paused', round, connected, needed: state.policy.minClients },
    ])
  return next(state, { ...changes, phase: 'WAITING_FOR_CLIENTS' }, [
    ...effects,
    { type: 'clients-ready', round, connected },
  ])
}

function restartRound(state: OrchestratorState, reason: string): OrchestratorStep {
  if (state.phase !== 'TRAINING' && state.phase !== 'AGGREGATING')
    return refuse('illegal', `no round is open to restart while ${state.phase}`)
  const restarted: OrchestratorEffect = {
    type: 'round-restarted',
    round: state.round,
    attempt: state.attempt,
    reason,
  }
  return between(state, { selected: [], received: [], deadlineAt: undefined }, [restarted])
}

function skipRound(
  state: OrchestratorState,
  reason: string,
  modelSha256: string,
): OrchestratorStep {
  if (state.phase !== 'TRAINING' && state.phase !== 'AGGREGATING')
    return refuse('illegal', `no round is open to skip while ${state.phase}`)
  const skipped: OrchestratorEffect = {
    type: 'round-skipped',
    round: state.round,
    attempt: state.attempt,
    reason,
  }
  return finishRound(state, modelSha256, [skipped])
}

function closeRound(state: OrchestratorState, modelSha256: string): OrchestratorStep {
  if (state.phase !== 'AGGREGATING')
    return refuse('illegal', `round ${state.round} is not aggregating (run is ${state.phase})`)
  return finishRound(state, modelSha256, [])
}

/** The round is over with this model: the next round waits, or the run is COMPLETED. */
function finishRound(
  state: OrchestratorState,
  modelSha256: string,
  before: readonly OrchestratorEffect[],
): OrchestratorStep {
  const closed: OrchestratorEffect = { type: 'round-closed', round: state.round, modelSha256 }
  const cleared = { selected: [], received: [], deadlineAt: undefined, modelSha256 }
  if (state.round >= state.policy.rounds)
    return next(state, { ...cleared, phase: 'COMPLETED' }, [
      ...before,
      closed,
      { type: 'run-completed', rounds: state.round, modelSha256 },
    ])
  return between(state, { ...cleared, round: state.round + 1, attempt: 0 }, [...before, closed])
}

function fail(
  state: OrchestratorState,
  reason: string,
  effects: readonly OrchestratorEffect[] = [],
): OrchestratorStep {
  return next(state, { phase: 'FAILED', failure: reason, deadlineAt: undefined }, [
    ...effects,
    { type: 'run-failed', reason },
  ])
}
