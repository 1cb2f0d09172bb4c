import type { RunEvent } from '../events/runEvent.ts'
import type { OrchestratorState } from '../orchestrator/orchestratorState.ts'
import type { PlannedTransition, TransitionOutcome } from '../orchestrator/plannedTransition.ts'
import type { ReceivedMessage, StoredMessage } from '../orchestrator/receivedMessage.ts'
import type {
  ModelVersionRecord,
  ParticipantRecord,
  RoundRecord,
  RunSummary,
  TransitionRecord,
} from '../orchestrator/storedRecords.ts'

/** A stored run event and its place in the stream (increasing in the order appended, across runs). */
export interface StoredEvent {
  readonly sequence: number
  readonly event: RunEvent
}

/**
 * The durable state of runs as the orchestrator sees it. Every write validates its input first
 * (a failure names the field) and is atomic. A transition is written before it is acted on:
 * `transition` commits and only then returns the effects, and refuses a plan made from a state
 * another writer has since changed. Messages are keyed by (run, round, sender, message id):
 * recording one twice is a no-op that answers `duplicate`.
 */
export interface RunStore {
  /** Stores a new run at its initial state (version 0); `exists` when the id is taken. */
  createRun(state: OrchestratorState, createdAt: number): Promise<'created' | 'exists'>
  /** The run's latest committed state. */
  loadRun(runId: string): Promise<OrchestratorState | undefined>
  listRuns(): Promise<readonly RunSummary[]>
  /** Commits the plan (with its message, if any) in one transaction, then returns the effects. */
  transition(plan: PlannedTransition, at: number): Promise<TransitionOutcome>
  listTransitions(runId: string): Promise<readonly TransitionRecord[]>
  listRounds(runId: string): Promise<readonly RoundRecord[]>
  /** Records a message that does not move the run (e.g. a heartbeat or a key share). */
  recordMessage(message: ReceivedMessage): Promise<'recorded' | 'duplicate'>
  /** The round's messages in arrival order, payloads checked against their stored hashes. */
  listMessages(runId: string, round: number): Promise<readonly StoredMessage[]>
  /** Records a participant; the same name with the same serial again is a `duplicate`. */
  recordParticipant(participant: ParticipantRecord): Promise<'recorded' | 'duplicate'>
  listParticipants(runId: string): Promise<readonly ParticipantRecord[]>
  /** Stores a model version and returns its SHA-256; the same bytes again are a `duplicate`. */
  putModelVersion(
    model: Omit<ModelVersionRecord, 'sha256'>,
  ): Promise<{ readonly sha256: string; readonly outcome: 'recorded' | 'duplicate' }>
  /** A model version (the latest when `version` is omitted), its hash checked. */
  loadModelVersion(runId: string, version?: number): Promise<ModelVersionRecord | undefined>
  /** Appends an event to its run's stream and returns its sequence number. */
  appendEvent(event: RunEvent): Promise<number>
  /** The run's events after `afterSequence` (all by default), in order. */
  listEvents(runId: string, afterSequence?: number): Promise<readonly StoredEvent[]>
  close(): Promise<void>
}
