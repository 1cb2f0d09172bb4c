import type { Kysely } from 'kysely'
import { z } from 'zod'
import { MsflError } from '../../core/errors/msflError.ts'
import { runIdSchema } from '../../core/orchestrator/runIdentifiers.ts'
import type { ModelVersionRecord } from '../../core/orchestrator/storedRecords.ts'
import { checkRunId, checkStoreInput } from './checkStoreInput.ts'
import { readStoredBytes, sha256Hex, toBuffer } from './storeBytes.ts'
import type { StoreTables } from './storeTables.ts'

const modelVersionSchema = z
  .object({
    runId: runIdSchema,
    version: z.number().int().min(0).max(1_000_000_000),
    round: z.number().int().min(0).max(1_000_000_000),
    bytes: z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected bytes (a Uint8Array)'),
    createdAt: z.number().int().min(0),
  })
  .strict()

/**
 * Stores a model version with the SHA-256 the store computes itself. The same bytes again are a
 * `duplicate`; other bytes under an existing version are refused (a version never changes).
 */
export async function insertModelVersion(
  db: Kysely<StoreTables>,
  model: Omit<ModelVersionRecord, 'sha256'>,
): Promise<{ sha256: string; outcome: 'recorded' | 'duplicate' }> {
  const m = checkStoreInput(modelVersionSchema, model, 'model')
  const sha256 = sha256Hex(m.bytes)
  const inserted = await db
    .insertInto('model_versions')
    .values({
      run_id: m.runId,
      version: m.version,
      round: m.round,
      sha256,
      bytes: toBuffer(m.bytes),
      created_at: m.createdAt,
    })
    .onConflict((oc) => oc.columns(['run_id', 'version']).doNothing())
    .executeTakeFirst()
  if ((inserted.numInsertedOrUpdatedRows ?? 0n) > 0n) return { sha256, outcome: 'recorded' }
  const existing = await db
    .selectFrom('model_versions')
    .select('sha256')
    .where('run_id', '=', m.runId)
    .where('version', '=', m.version)
    .executeTakeFirstOrThrow()
  if (existing.sha256 !== sha256)
    throw new MsflError(
      'STORE',
      `model.version: version ${m.version} of run ${m.runId} is stored with another SHA-256`,
    )
  return { sha256, outcome: 'duplicate' }
}

/** A model version (the latest when `version` is omitted), its bytes checked against the hash. */
export async function selectModelVersion(
  db: Kysely<StoreTables>,
  runId: string,
  version?: number,
): Promise<ModelVersionRecord | undefined> {
  let query = db.selectFrom('model_versions').selectAll().where('run_id', '=', checkRunId(runId))
  if (version !== undefined)
    query = query.where(
      'version',
      '=',
      checkStoreInput(z.number().int().min(0), version, 'model.version'),
    )
  const row = await query.orderBy('version', 'desc').limit(1).executeTakeFirst()
  if (row === undefined) return undefined
  return {
    runId: row.run_id,
    version: row.version,
    round: row.round,
    sha256: row.sha256,
    bytes: readStoredBytes(row.bytes, row.sha256, `model ${row.run_id} v${row.version}`),
    createdAt: Number(row.created_at),
  }
}
