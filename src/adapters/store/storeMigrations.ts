import { type Kysely, type Migration, Migrator, sql } from 'kysely'
import { MsflError } from '../../core/errors/msflError.ts'
import type { StoreDialect } from './storeTables.ts'

/**
 * The store's schema, in code so that SQLite and PostgreSQL run the same migrations (only the
 * byte and auto-increment column types differ). Never edit a shipped migration: add one.
 */
function storeMigrations(dialect: StoreDialect): Record<string, Migration> {
  const bytes = dialect === 'postgres' ? 'bytea' : 'blob'
  return {
    '0001-runs-rounds-messages': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('runs')
          .addColumn('run_id', 'text', (c) => c.primaryKey())
          .addColumn('phase', 'text', (c) => c.notNull())
          .addColumn('round', 'integer', (c) => c.notNull())
          .addColumn('rounds', 'integer', (c) => c.notNull())
          .addColumn('version', 'integer', (c) => c.notNull())
          .addColumn('state_json', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute()
        await db.schema
          .createTable('transitions')
          .addColumn('run_id', 'text', (c) => c.notNull().references('runs.run_id'))
          .addColumn('sequence', 'integer', (c) => c.notNull())
          .addColumn('from_phase', 'text', (c) => c.notNull())
          .addColumn('to_phase', 'text', (c) => c.notNull())
          .addColumn('round', 'integer', (c) => c.notNull())
          .addColumn('input_json', 'text', (c) => c.notNull())
          .addColumn('effects_json', 'text', (c) => c.notNull())
          .addColumn('at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('transitions_pk', ['run_id', 'sequence'])
          .execute()
        await db.schema
          .createTable('rounds')
          .addColumn('run_id', 'text', (c) => c.notNull().references('runs.run_id'))
          .addColumn('round', 'integer', (c) => c.notNull())
          .addColumn('attempt', 'integer', (c) => c.notNull())
          .addColumn('phase', 'text', (c) => c.notNull())
          .addColumn('selected_json', 'text', (c) => c.notNull())
          .addColumn('received_json', 'text', (c) => c.notNull())
          .addColumn('deadline_at', 'bigint')
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('rounds_pk', ['run_id', 'round'])
          .execute()
        await db.schema
          .createTable('participants')
          .addColumn('run_id', 'text', (c) => c.notNull().references('runs.run_id'))
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('role', 'text', (c) => c.notNull())
          .addColumn('certificate_serial', 'text', (c) => c.notNull())
          .addColumn('registered_at', 'bigint', (c) => c.notNull())
          // A renewed certificate is a new row: the history of serials stays readable.
          .addPrimaryKeyConstraint('participants_pk', ['run_id', 'name', 'certificate_serial'])
          .execute()
        await db.schema
          .createTable('messages')
          .addColumn('run_id', 'text', (c) => c.notNull().references('runs.run_id'))
          .addColumn('round', 'integer', (c) => c.notNull())
          .addColumn('sender', 'text', (c) => c.notNull())
          .addColumn('message_id', 'text', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('received_at', 'bigint', (c) => c.notNull())
          .addColumn('metadata_json', 'text', (c) => c.notNull())
          .addColumn('payload', sql.raw(bytes))
          .addColumn('payload_sha256', 'text')
          // The idempotency key: a retried or replayed message is recorded once.
          .addPrimaryKeyConstraint('messages_pk', ['run_id', 'round', 'sender', 'message_id'])
          .execute()
        await db.schema
          .createTable('model_versions')
          .addColumn('run_id', 'text', (c) => c.notNull().references('runs.run_id'))
          .addColumn('version', 'integer', (c) => c.notNull())
          .addColumn('round', 'integer', (c) => c.notNull())
          .addColumn('sha256', 'text', (c) => c.notNull())
          .addColumn('bytes', sql.raw(bytes), (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('model_versions_pk', ['run_id', 'version'])
          .execute()
        await db.schema
          .createTable('events')
          .addColumn('event_id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
            dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn('run_id', 'text', (c) => c.notNull().references('runs.run_id'))
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('round', 'integer')
          .addColumn('at', 'bigint', (c) => c.notNull())
          .addColumn('event_json', 'text', (c) => c.notNull())
          .execute()
        await db.schema
          .createIndex('events_by_run')
          .on('events')
          .columns(['run_id', 'event_id'])
          .execute()
      },
    },
  }
}

/** Brings a store's schema to the latest migration; a failure names the migration. */
export async function migrateStore(db: Kysely<unknown>, dialect: StoreDialect): Promise<void> {
  const migrations = storeMigrations(dialect)
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'msfl_migrations',
    migrationLockTableName: 'msfl_migrations_lock',
  })
  const { error, results } = await migrator.migrateToLatest()
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown'
    throw new MsflError('STORE', `store migration ${failed} failed: ${String(error)}`, {
      cause: error,
    })
  }
}
