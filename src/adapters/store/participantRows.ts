import type { Kysely } from 'kysely'
import {
  type ParticipantRecord,
  participantRecordSchema,
} from '../../core/orchestrator/storedRecords.ts'
import { checkRunId, checkStoreInput } from './checkStoreInput.ts'
import type { StoreTables } from './storeTables.ts'

/** Records a participant's certificate; the same name and serial again is a `duplicate`. */
export async function insertParticipant(
  db: Kysely<StoreTables>,
  participant: ParticipantRecord,
): Promise<'recorded' | 'duplicate'> {
  const p = checkStoreInput(participantRecordSchema, participant, 'participant')
  const inserted = await db
    .insertInto('participants')
    .values({
      run_id: p.runId,
      name: p.name,
      role: p.role,
      certificate_serial: p.certificateSerial,
      registered_at: p.registeredAt,
    })
    .onConflict((oc) => oc.columns(['run_id', 'name', 'certificate_serial']).doNothing())
    .executeTakeFirst()
  return (inserted.numInsertedOrUpdatedRows ?? 0n) === 0n ? 'duplicate' : 'recorded'
}

/** The run's participants by name, each certificate serial it registered with in order. */
export async function selectParticipants(
  db: Kysely<StoreTables>,
  runId: string,
): Promise<ParticipantRecord[]> {
  const rows = await db
    .selectFrom('participants')
    .selectAll()
    .where('run_id', '=', checkRunId(runId))
    .orderBy('name')
    .orderBy('registered_at')
    .execute()
  return rows.map((r) => ({
    runId: r.run_id,
    name: r.name,
    role: r.role,
    certificateSerial: r.certificate_serial,
    registeredAt: Number(r.registered_at),
  }))
}
