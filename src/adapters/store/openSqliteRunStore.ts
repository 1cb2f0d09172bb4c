import Database from 'better-sqlite3'
import { Kysely, SqliteDialect } from 'kysely'
import { MsflError } from '../../core/errors/msflError.ts'
import type { RunStore } from '../../core/ports/runStore.ts'
import { createKyselyRunStore } from './createKyselyRunStore.ts'
import { migrateStore } from './storeMigrations.ts'
import type { StoreTables } from './storeTables.ts'

/**
 * Opens (creating and migrating when needed) a SQLite store file. WAL lets readers (an
 * operator's `msfl runs`) work while the server writes; synchronous=FULL makes every commit
 * durable before it returns, so a transition survives a power cut once it is acted on.
 */
export async function openSqliteRunStore(path: string): Promise<RunStore> {
  let database: Database.Database
  try {
    database = new Database(path)
  } catch (error) {
    throw new MsflError('STORE', `cannot open the SQLite store ${path}: ${String(error)}`, {
      cause: error,
    })
  }
  database.pragma('journal_mode = WAL')
  database.pragma('synchronous = FULL')
  database.pragma('foreign_keys = ON')
  // Another process writing (a second server, an operator command) is waited for, not an error.
  database.pragma('busy_timeout = 10000')
  const mode = database.pragma('journal_mode', { simple: true })
  if (mode !== 'wal') {
    database.close()
    throw new MsflError('STORE', `the SQLite store ${path} refused WAL mode (it stays ${mode})`)
  }
  const db = new Kysely<StoreTables>({ dialect: new SqliteDialect({ database }) })
  try {
    await migrateStore(db as Kysely<unknown>, 'sqlite')
  } catch (error) {
    await db.destroy()
    throw error
  }
  return createKyselyRunStore(db)
}
