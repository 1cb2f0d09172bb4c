import type { Kysely, Transaction } from 'kysely'
import {
  type ReceivedMessage,
  receivedMessageSchema,
  type StoredMessage,
} from '../../core/orchestrator/receivedMessage.ts'
import { checkRunId, checkStoreInput } from './checkStoreInput.ts'
import { readStoredBytes, sha256Hex, toBuffer } from './storeBytes.ts'
import type { StoreTables } from './storeTables.ts'

/** A message the store is asked to record, refused with the field named when malformed. */
export function validMessage(message: ReceivedMessage, what = 'message'): ReceivedMessage {
  return checkStoreInput(receivedMessageSchema, message, what) as ReceivedMessage
}

/**
 * Inserts a message keyed by (run, round, sender, message id); the same key again inserts
 * nothing and answers `duplicate` (whatever the second copy carries: the first one counts).
 */
export async function insertMessage(
  db: Kysely<StoreTables> | Transaction<StoreTables>,
  message: ReceivedMessage,
): Promise<'recorded' | 'duplicate'> {
  const m = validMessage(message)
  const inserted = await db
    .insertInto('messages')
    .values({
      run_id: m.runId,
      round: m.round,
      sender: m.sender,
      message_id: m.messageId,
      kind: m.kind,
      received_at: m.receivedAt,
      metadata_json: JSON.stringify(m.metadata),
      payload: m.payload === undefined ? null : toBuffer(m.payload),
      payload_sha256: m.payload === undefined ? null : sha256Hex(m.payload),
    })
    .onConflict((oc) => oc.columns(['run_id', 'round', 'sender', 'message_id']).doNothing())
    .executeTakeFirst()
  return (inserted.numInsertedOrUpdatedRows ?? 0n) === 0n ? 'duplicate' : 'recorded'
}

/** A round's messages in arrival order (then sender, id), payloads checked against their hash. */
export async function selectMessages(
  db: Kysely<StoreTables>,
  runId: string,
  round: number,
): Promise<StoredMessage[]> {
  checkRunId(runId)
  const rows = await db
    .selectFrom('messages')
    .selectAll()
    .where('run_id', '=', runId)
    .where('round', '=', round)
    .orderBy('received_at')
    .orderBy('sender')
    .orderBy('message_id')
    .execute()
  return rows.map((row) => {
    const what = `message ${row.run_id}/${row.round}/${row.sender}/${row.message_id}`
    return {
      runId: row.run_id,
      round: row.round,
      sender: row.sender,
      messageId: row.message_id,
      kind: row.kind,
      receivedAt: Number(row.received_at),
      metadata: JSON.parse(row.metadata_json) as Record<string, unknown>,
      ...(row.payload === null || row.payload_sha256 === null
        ? {}
        : {
            payload: readStoredBytes(row.payload, row.payload_sha256, what),
            payloadSha256: row.payload_sha256,
          }),
    }
  })
}
