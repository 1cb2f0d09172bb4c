import { createRunEmitter } from '../../core/events/createRunEmitter.ts'
import type { EventSink, ProtectedRoundRecord } from '../../core/events/runEvent.ts'
import type { FederatedRunPlan } from '../config/planRun.ts'
import type { RunJournal } from '../orchestrator/openRunJournal.ts'
import { type RoundEvaluation, summarise } from '../rounds/roundEvaluation.ts'

/**
 * Whether a job's round interrupted by a provider restart is skipped rather than resumed: with
 * a hiding protection (its masks and key shares are gone) and with client-level DP (its secret
 * sampling cannot be drawn again: the resumed round would ask other owners, and the round's
 * replies are one release each that the owners refuse to repeat).
 */
export function skipsInterruptedRounds(plan: FederatedRunPlan): boolean {
  if (plan.protocol !== 'protected') return false
  return plan.privacy.hiding !== undefined || plan.privacy.dp?.options.level === 'client'
}

/** A protected run whose last round was the one skipped: it is over. */
export interface SkippedToTheEnd {
  readonly params: Float64Array
  readonly history: readonly ProtectedRoundRecord[]
  readonly final: RoundEvaluation
}

/**
 * A restarted provider of a protected run gives up the round its predecessor left open
 * (openRunJournal, `interruptedRounds: 'skip'`; see skipsInterruptedRounds). With a hiding
 * protection the round's masks and key shares died with the process, and running it again is
 * not safe: the owners would train the
 * same update again, and a second sum of the same round over another set of owners (one of
 * them "dropped" this time) would reveal the difference — exactly what SecAgg and the key
 * holder's one-decryption-per-round rule forbid. So its number is spent: it closes with the
 * model it started from and a record saying why, and the run goes on with the next round.
 * Returns the run's result when that round was its last.
 */
export async function skipInterruptedRound(p: {
  readonly runId: string
  readonly journal: RunJournal
  readonly evaluate: (params: Float64Array) => RoundEvaluation
  readonly emit: EventSink
  readonly now: () => number
}): Promise<SkippedToTheEnd | undefined> {
  const { journal } = p
  const resume = journal.resume
  if (!resume?.interrupted) return undefined
  const state = journal.state()
  const reason = `the provider restarted while round ${state.round} was ${state.phase}: its masks and key shares were lost, and a protected round never runs twice`
  const evaluation = p.evaluate(resume.params)
  const record: ProtectedRoundRecord = {
    round: state.round,
    selected: state.selected.length,
    accepted: 0,
    excluded: [],
    stragglers: [],
    dropped: [],
    protectedBytesPerClient: 0,
    test: summarise(evaluation),
    bytesSent: 0,
    bytesReceived: 0,
    durationMs: 0,
    skipped: reason,
  }
  await journal.skipRound(record, reason)
  const event = createRunEmitter(p)
  event('round-completed', { record })
  if (journal.state().phase !== 'COMPLETED') return undefined
  event('run-completed', { rounds: state.round, final: record.test })
  const history = [...(resume.history as readonly ProtectedRoundRecord[]), record]
  return { params: resume.params, history, final: evaluation }
}
