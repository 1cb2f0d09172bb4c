import { resolve } from 'node:path'
import Database from 'better-sqlite3'
import { Kysely, SqliteDialect } from 'kysely'
import { MsflError } from '../../core/errors/msflError.ts'
import type { RunStore } from '../../core/ports/runStore.ts'
import { createKyselyRunStore } from './createKyselyRunStore.ts'
import { migrateStore } from './storeMigrations.ts'
import type { StoreTables } from './storeTables.ts'

// better-sqlite3 waits for a lock synchronously: a second connection to the same file in the
// same process would block the event loop while the first one's transaction waits on it, a
// deadlock until the busy timeout. So one process shares one connection per file (Kysely
// serialises its transactions); other processes wait on the file lock as usual.
const shared = new Map<string, { db: Promise<Kysely<StoreTables>>; users: number }>()

async function openDatabase(path: string): Promise<Kysely<StoreTables>> {
  let database: Database.Database
  try {
    database = new Database(path)
  } catch (error) {
    throw new MsflError('STORE', `cannot open the SQLite store ${path}: ${String(error)}`, {
      cause: error,
    })
  }
  database.pragma('journal_mode = WAL')
  // Every commit reaches the disk before it returns: a transition acted on survives a power cut.
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
  return db
}

/**
 * Opens (creating and migrating when needed) a SQLite store file in WAL mode, so readers (an
 * operator's `msfl runs`) work while the server writes. Opening the same file again in this
 * process shares the connection; it closes when the last store on it is closed.
 */
export async function openSqliteRunStore(path: string): Promise<RunStore> {
  const key = resolve(path)
  let entry = shared.get(key)
  if (entry === undefined) {
    entry = { db: openDatabase(path), users: 0 }
    shared.set(key, entry)
  }
  entry.users += 1
  let db: Kysely<StoreTables>
  try {
    db = await entry.db
  } catch (error) {
    shared.delete(key)
    throw error
  }
  const store = createKyselyRunStore(db)
  let closed = false
  return {
    ...store,
    close: async () => {
      if (closed) return
      closed = true
      const current = shared.get(key)
      if (current === undefined) return
      current.users -= 1
      if (current.users > 0) return
      shared.delete(key)
      await db.destroy()
    },
  }
}
