import type { RoundRecord } from '../../core/events/runEvent.ts'

/** What the journal knows about a round as it opens: its deadline and what was recorded before. */
export interface OpenedRound {
  /** The round's absolute deadline (ms since the epoch): armed when it first opened, kept after a restart. */
  readonly deadlineAt: number
  /** Replies accepted and recorded before a restart, by participant: they are not asked again. */
  readonly recorded: ReadonlyMap<string, unknown>
  /** The round was already combining its updates: nobody is asked, the recorded replies are all. */
  readonly collected: boolean
}

/** Whether the journal recorded a reply, or the run's state machine refused it (e.g. it came too late). */
export type JournalVerdict = 'recorded' | { readonly refused: string }

/**
 * Makes a run's rounds durable: the round driver reports each step to the journal and waits
 * until it is written before acting on it, so a server killed at any point restarts from the
 * last written step. Implemented on the run store by runtime/orchestrator/openRunJournal.ts.
 */
export interface RoundJournal {
  /** Before the round's requests go out: records whom it asks (in this order). */
  opened(round: number, participants: readonly string[]): Promise<OpenedRound>
  /** A reply the protocol accepted, recorded (idempotently) before the round moves on. */
  accepted(round: number, clientId: string, reply: unknown): Promise<JournalVerdict>
  /** Every asked participant answered or the deadline passed: recorded before the updates are combined. */
  collected(round: number, stragglers: readonly string[]): Promise<void>
  /** The round's result: recorded before the next round opens. */
  closed(round: number, record: RoundRecord): Promise<void>
}

/** A round journal that also keeps each round's global parameters, so a restart resumes from them. */
export interface FederationJournal extends Omit<RoundJournal, 'closed'> {
  /** The round's model and record: written before the next round opens. */
  closed(round: number, params: Float64Array, record: RoundRecord): Promise<void>
}

/** The round driver's view of a federation journal: each round closes with `params()` at that moment. */
export function closingWithParams(
  journal: FederationJournal,
  params: () => Float64Array,
): RoundJournal {
  return {
    opened: (round, participants) => journal.opened(round, participants),
    accepted: (round, clientId, reply) => journal.accepted(round, clientId, reply),
    collected: (round, stragglers) => journal.collected(round, stragglers),
    closed: (round, record) => journal.closed(round, params(), record),
  }
}
