import type { Kysely } from 'kysely'
import { z } from 'zod'
import type { RunEvent } from '../../core/events/runEvent.ts'
import { runIdSchema } from '../../core/orchestrator/runIdentifiers.ts'
import type { StoredEvent } from '../../core/ports/runStore.ts'
import { checkRunId, checkStoreInput } from './checkStoreInput.ts'
import type { StoreTables } from './storeTables.ts'

// The envelope every event shares; the body is the runtime's own typed value, stored as JSON.
const eventEnvelopeSchema = z
  .object({
    runId: runIdSchema,
    type: z.string().regex(/^[a-z][a-z-]{0,63}$/, 'must be a kebab-case event type'),
    at: z.number().int().min(0),
    round: z.number().int().min(0).optional(),
  })
  .passthrough()

/** Appends an event to its run's stream; the returned sequence increases with every append. */
export async function insertEvent(db: Kysely<StoreTables>, event: RunEvent): Promise<number> {
  checkStoreInput(eventEnvelopeSchema, event, 'event')
  const round = 'round' in event ? event.round : null
  const row = await db
    .insertInto('events')
    .values({
      run_id: event.runId,
      type: event.type,
      round,
      at: event.at,
      event_json: JSON.stringify(event),
    })
    .returning('event_id')
    .executeTakeFirstOrThrow()
  return Number(row.event_id)
}

/** The run's events after `afterSequence`, in the order they were appended. */
export async function selectEvents(
  db: Kysely<StoreTables>,
  runId: string,
  afterSequence = 0,
): Promise<StoredEvent[]> {
  const after = checkStoreInput(z.number().int().min(0), afterSequence, 'afterSequence')
  const rows = await db
    .selectFrom('events')
    .select(['event_id', 'event_json'])
    .where('run_id', '=', checkRunId(runId))
    .where('event_id', '>', after)
    .orderBy('event_id')
    .execute()
  return rows.map((r) => ({
    sequence: Number(r.event_id),
    event: JSON.parse(r.event_json) as RunEvent,
  }))
}
