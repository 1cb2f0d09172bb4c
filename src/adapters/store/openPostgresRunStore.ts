import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import type { RunStore } from '../../core/ports/runStore.ts'
import { createKyselyRunStore } from './createKyselyRunStore.ts'
import { migrateStore } from './storeMigrations.ts'
import type { StoreTables } from './storeTables.ts'

// bigint (OID 20) columns hold milliseconds and ids, all below 2^53: read them as numbers
// for this pool only, without changing pg's global parsers.
const INT8_OID = 20
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
}

/** Opens (migrating when needed) a PostgreSQL store from a `postgres://…` connection string. */
export async function openPostgresRunStore(
  connectionString: string,
  options: { readonly maxConnections?: number } = {},
): Promise<RunStore> {
  const pool = new pg.Pool({ connectionString, max: options.maxConnections ?? 10, types })
  const db = new Kysely<StoreTables>({ dialect: new PostgresDialect({ pool }) })
  try {
    await migrateStore(db as Kysely<unknown>, 'postgres')
  } catch (error) {
    await db.destroy()
    throw error
  }
  return createKyselyRunStore(db)
}
