import type { RoundPolicy } from './roundPolicy.ts'
import type { RunPhase } from './runPhase.ts'

/**
 * Everything the orchestrator decides from, as plain data: it is stored after every transition
 * and is all a restarted server needs to carry on (times are absolute, from the runtime's clock).
 */
export interface OrchestratorState {
  readonly runId: string
  readonly policy: RoundPolicy
  readonly phase: RunPhase
  /** Transitions committed so far: a store refuses a transition planned from an older version. */
  readonly version: number
  /** The round open now, or the next one to open (1-based). */
  readonly round: number
  /** Openings of this round so far (0 before it first opens). */
  readonly attempt: number
  /** Owners that ever registered, sorted. */
  readonly registered: readonly string[]
  /** Registered owners reachable now, sorted: rounds select from these. */
  readonly connected: readonly string[]
  /** Owners asked to train in the open round (empty outside TRAINING and AGGREGATING). */
  readonly selected: readonly string[]
  /** Selected owners whose update was accepted this round, in arrival order. */
  readonly received: readonly string[]
  /** Absolute deadline of the open round, milliseconds since the Unix epoch. */
  readonly deadlineAt?: number
  /** Hex SHA-256 of the latest aggregated model (absent before the first round closes). */
  readonly modelSha256?: string
  /** Why the run failed (FAILED only). */
  readonly failure?: string
}

/** A new run: no owner registered yet, round 1 not opened, version 0. */
export function initialOrchestratorState(runId: string, policy: RoundPolicy): OrchestratorState {
  return {
    runId,
    policy,
    phase: 'WAITING_FOR_CLIENTS',
    version: 0,
    round: 1,
    attempt: 0,
    registered: [],
    connected: [],
    selected: [],
    received: [],
  }
}
