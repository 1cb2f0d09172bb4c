import type { Kysely, Transaction } from 'kysely'
import { MsflError } from '../../core/errors/msflError.ts'
import type {
  PlannedTransition,
  TransitionOutcome,
} from '../../core/orchestrator/plannedTransition.ts'
import { checkRunId } from './checkStoreInput.ts'
import { insertMessage, validMessage } from './messageRows.ts'
import type { StoreTables } from './storeTables.ts'

/** Thrown inside the transaction to roll it back; turned into an outcome outside. */
class Abandoned extends Error {
  constructor(readonly outcome: Exclude<TransitionOutcome, { outcome: 'committed' }>) {
    super(outcome.outcome)
  }
}

function checkPlan(plan: PlannedTransition): void {
  const runId = checkRunId(plan.runId, 'transition.runId')
  const fail = (field: string, problem: string) => {
    throw new MsflError('STORE', `transition.${field}: ${problem}`)
  }
  if (!Number.isInteger(plan.fromVersion) || plan.fromVersion < 0)
    fail('fromVersion', 'must be a non-negative integer')
  if (plan.state.runId !== runId) fail('state.runId', `must be the plan's run ${runId}`)
  if (plan.state.version !== plan.fromVersion + 1)
    fail('state.version', `must be fromVersion + 1 (${plan.fromVersion + 1})`)
  if (plan.message === undefined) return
  const message = validMessage(plan.message, 'transition.message')
  if (message.runId !== runId) fail('message.runId', `must be the plan's run ${runId}`)
  const input = plan.input
  if (
    input.type === 'update' &&
    (input.sender !== message.sender ||
      input.round !== message.round ||
      input.messageId !== message.messageId)
  )
    fail('message', 'must be the update the input names (same sender, round and message id)')
}

async function writeTransition(
  trx: Transaction<StoreTables>,
  plan: PlannedTransition,
  at: number,
): Promise<void> {
  const { state } = plan
  // The compare-and-set comes first: in SQLite the first write takes the database's write
  // lock, so a transaction never reads a state another writer is about to change.
  const moved = await trx
    .updateTable('runs')
    .set({
      phase: state.phase,
      round: state.round,
      version: state.version,
      state_json: JSON.stringify(state),
      updated_at: at,
    })
    .where('run_id', '=', plan.runId)
    .where('version', '=', plan.fromVersion)
    .executeTakeFirst()
  if (moved.numUpdatedRows === 0n) {
    const row = await trx
      .selectFrom('runs')
      .select('version')
      .where('run_id', '=', plan.runId)
      .executeTakeFirst()
    if (row === undefined) throw new MsflError('STORE', `transition.runId: no run ${plan.runId}`)
    throw new Abandoned({ outcome: 'conflict', currentVersion: Number(row.version) })
  }
  if (plan.message !== undefined && (await insertMessage(trx, plan.message)) === 'duplicate')
    throw new Abandoned({ outcome: 'duplicate' })
  await trx
    .insertInto('transitions')
    .values({
      run_id: plan.runId,
      sequence: state.version,
      from_phase: plan.fromPhase,
      to_phase: state.phase,
      round: state.round,
      input_json: JSON.stringify(plan.input),
      effects_json: JSON.stringify(plan.pendingEffects),
      at,
    })
    .execute()
  // A round's row carries its selection while it is open and keeps it once it moves on: a
  // closed round becomes COMPLETED, an abandoned one records where the run went.
  if (state.phase === 'TRAINING' || state.phase === 'AGGREGATING') {
    const round = {
      attempt: state.attempt,
      phase: state.phase,
      selected_json: JSON.stringify(state.selected),
      received_json: JSON.stringify(state.received),
      deadline_at: state.deadlineAt ?? null,
      updated_at: at,
    }
    await trx
      .insertInto('rounds')
      .values({ run_id: plan.runId, round: state.round, ...round })
      .onConflict((oc) => oc.columns(['run_id', 'round']).doUpdateSet(round))
      .execute()
  } else if (plan.fromPhase === 'TRAINING' || plan.fromPhase === 'AGGREGATING')
    await trx
      .updateTable('rounds')
      .set({
        phase: plan.input.type === 'aggregated' ? 'COMPLETED' : state.phase,
        updated_at: at,
      })
      .where('run_id', '=', plan.runId)
      .where('round', '=', plan.fromRound)
      .execute()
}

/**
 * Commits a planned transition and the message it came from in one transaction, then returns
 * its effects: nothing is handed out to act on before the write is durable.
 */
export async function commitTransition(
  db: Kysely<StoreTables>,
  plan: PlannedTransition,
  at: number,
): Promise<TransitionOutcome> {
  checkPlan(plan)
  try {
    await db.transaction().execute((trx) => writeTransition(trx, plan, at))
  } catch (error) {
    if (error instanceof Abandoned) return error.outcome
    throw error
  }
  return {
    outcome: 'committed',
    sequence: plan.state.version,
    state: plan.state,
    effects: plan.pendingEffects,
  }
}
