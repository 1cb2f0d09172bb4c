import type { Kysely } from 'kysely'
import { MsflError } from '../../core/errors/msflError.ts'
import type { OrchestratorState } from '../../core/orchestrator/orchestratorState.ts'
import { roundPolicySchema } from '../../core/orchestrator/roundPolicy.ts'
import type { RunPhase } from '../../core/orchestrator/runPhase.ts'
import type {
  RoundRecord,
  RunSummary,
  TransitionRecord,
} from '../../core/orchestrator/storedRecords.ts'
import { checkRunId, checkStoreInput } from './checkStoreInput.ts'
import type { StoreTables } from './storeTables.ts'

/** Stores a new run at version 0; `exists` when the id is taken (its state is left alone). */
export async function insertRun(
  db: Kysely<StoreTables>,
  state: OrchestratorState,
  createdAt: number,
): Promise<'created' | 'exists'> {
  checkRunId(state.runId, 'run.runId')
  checkStoreInput(roundPolicySchema, state.policy, 'run.policy')
  if (state.version !== 0)
    throw new MsflError('STORE', 'run.version: a new run starts at version 0')
  const inserted = await db
    .insertInto('runs')
    .values({
      run_id: state.runId,
      phase: state.phase,
      round: state.round,
      rounds: state.policy.rounds,
      version: 0,
      state_json: JSON.stringify(state),
      created_at: createdAt,
      updated_at: createdAt,
    })
    .onConflict((oc) => oc.column('run_id').doNothing())
    .executeTakeFirst()
  return (inserted.numInsertedOrUpdatedRows ?? 0n) === 0n ? 'exists' : 'created'
}

/** The run's latest committed state, or undefined when there is no such run. */
export async function selectRun(
  db: Kysely<StoreTables>,
  runId: string,
): Promise<OrchestratorState | undefined> {
  const row = await db
    .selectFrom('runs')
    .select(['state_json', 'version'])
    .where('run_id', '=', checkRunId(runId))
    .executeTakeFirst()
  if (row === undefined) return undefined
  const state = JSON.parse(row.state_json) as OrchestratorState
  if (state.version !== Number(row.version))
    throw new MsflError('STORE', `run ${runId}: stored state is not at the row's version`)
  return state
}

/** Every run, the most recently moved first. */
export async function selectRuns(db: Kysely<StoreTables>): Promise<RunSummary[]> {
  const rows = await db
    .selectFrom('runs')
    .select(['run_id', 'phase', 'round', 'rounds', 'version', 'created_at', 'updated_at'])
    .orderBy('updated_at', 'desc')
    .orderBy('run_id')
    .execute()
  return rows.map((r) => ({
    runId: r.run_id,
    phase: r.phase as RunPhase,
    round: r.round,
    rounds: r.rounds,
    version: r.version,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  }))
}

/** The run's committed transitions in order. */
export async function selectTransitions(
  db: Kysely<StoreTables>,
  runId: string,
): Promise<TransitionRecord[]> {
  const rows = await db
    .selectFrom('transitions')
    .selectAll()
    .where('run_id', '=', checkRunId(runId))
    .orderBy('sequence')
    .execute()
  return rows.map((r) => ({
    runId: r.run_id,
    sequence: r.sequence,
    fromPhase: r.from_phase as RunPhase,
    toPhase: r.to_phase as RunPhase,
    round: r.round,
    input: JSON.parse(r.input_json),
    effects: JSON.parse(r.effects_json),
    at: Number(r.at),
  }))
}

/** The run's rounds in order, each at its latest state. */
export async function selectRounds(db: Kysely<StoreTables>, runId: string): Promise<RoundRecord[]> {
  const rows = await db
    .selectFrom('rounds')
    .selectAll()
    .where('run_id', '=', checkRunId(runId))
    .orderBy('round')
    .execute()
  return rows.map((r) => ({
    runId: r.run_id,
    round: r.round,
    attempt: r.attempt,
    phase: r.phase as RunPhase,
    selected: JSON.parse(r.selected_json),
    received: JSON.parse(r.received_json),
    ...(r.deadline_at === null ? {} : { deadlineAt: Number(r.deadline_at) }),
    updatedAt: Number(r.updated_at),
  }))
}
