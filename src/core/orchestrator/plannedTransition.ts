import { advanceOrchestrator, type RefusalCode } from './advanceOrchestrator.ts'
import type { OrchestratorEffect } from './orchestratorEffect.ts'
import type { OrchestratorInput } from './orchestratorInput.ts'
import type { OrchestratorState } from './orchestratorState.ts'
import type { ReceivedMessage } from './receivedMessage.ts'
import type { RunPhase } from './runPhase.ts'

/**
 * A transition decided but not yet durable. Only a store turns it into a CommittedTransition,
 * and only a CommittedTransition hands out effects to act on: nothing happens before the write.
 */
export interface PlannedTransition {
  readonly runId: string
  /** The version the plan was made from: the store refuses it if the run moved on since. */
  readonly fromVersion: number
  /** The phase the plan was made from, kept in the run's history. */
  readonly fromPhase: RunPhase
  /** The round the plan was made from (the one an `aggregated` input closes). */
  readonly fromRound: number
  readonly input: OrchestratorInput
  readonly state: OrchestratorState
  /** Recorded in the same transaction: when it is a duplicate, nothing is committed. */
  readonly message?: ReceivedMessage
  /** Read by the store only, to persist them; the runtime acts on CommittedTransition.effects. */
  readonly pendingEffects: readonly OrchestratorEffect[]
}

/** A transition the store has made durable: its effects may now be carried out. */
export interface CommittedTransition {
  readonly outcome: 'committed'
  /** The run's version after it (1 for the first transition). */
  readonly sequence: number
  readonly state: OrchestratorState
  readonly effects: readonly OrchestratorEffect[]
}

/** What a store answers to a planned transition. */
export type TransitionOutcome =
  | CommittedTransition
  /** The plan's message was recorded before: nothing was written, nothing is to be done. */
  | { readonly outcome: 'duplicate' }
  /** Another writer moved the run on: reload the state and plan again. */
  | { readonly outcome: 'conflict'; readonly currentVersion: number }

/** Either a plan to hand to the store, or why the input does not apply. */
export type PlanResult =
  | { readonly kind: 'planned'; readonly transition: PlannedTransition }
  | { readonly kind: 'refused'; readonly code: RefusalCode; readonly reason: string }

/**
 * Applies an input to a state and packages the outcome for the store, with the message the
 * input came from (an update's bytes) so that both are written in one transaction.
 */
export function planTransition(
  state: OrchestratorState,
  input: OrchestratorInput,
  message?: ReceivedMessage,
): PlanResult {
  const step = advanceOrchestrator(state, input)
  if (step.kind === 'refused') return step
  return {
    kind: 'planned',
    transition: {
      runId: state.runId,
      fromVersion: state.version,
      fromPhase: state.phase,
      fromRound: state.round,
      input,
      state: step.state,
      pendingEffects: step.effects,
      ...(message === undefined ? {} : { message }),
    },
  }
}
