import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import Database from 'better-sqlite3'
import { openRunStore, openSqliteRunStore } from '../../src/adapters/store/index.ts'
import { runStoreSuite } from './runStoreSuite.ts'

const dir = mkdtempSync(join(tmpdir(), 'msfl-store-'))
const files: string[] = []
after(() => rmSync(dir, { recursive: true, force: true }))

function integrity(path: string): unknown {
  const db = new Database(path, { readonly: true })
  try {
    return db.pragma('integrity_check')
  } finally {
    db.close()
  }
}

runStoreSuite('SQLite', async () => {
  const path = join(dir, `store-${files.length}.sqlite`)
  files.push(path)
  return { open: () => openSqliteRunStore(path) }
})

describe('the SQLite store file', () => {
  it('is in WAL mode with synchronous=FULL and passes PRAGMA integrity_check after the suite', async () => {
    assert.ok(files.length >= 8, 'the suite wrote its files')
    for (const path of files) assert.deepEqual(integrity(path), [{ integrity_check: 'ok' }], path)
    const path = join(dir, 'pragmas.sqlite')
    const store = await openRunStore(path)
    await store.close()
    const db = new Database(path)
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal')
    } finally {
      db.close()
    }
  })

  it('refuses an unknown URL scheme without echoing the rest of the URL', async () => {
    await assert.rejects(openRunStore('mysql://user:secret@host/db'), (error: Error) => {
      assert.match(error.message, /--store: unsupported scheme in mysql:\/\//)
      assert.doesNotMatch(error.message, /secret/)
      return true
    })
    await assert.rejects(openRunStore(' '), /--store: must name/)
  })
})
