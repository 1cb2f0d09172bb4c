import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import Database from 'better-sqlite3'
import { openSqliteRunStore } from '../../src/adapters/store/index.ts'
import { initialOrchestratorState } from '../../src/core/orchestrator/orchestratorState.ts'
import { policy } from './runStoreSuite.ts'

const dir = mkdtempSync(join(tmpdir(), 'msfl-store-crash-'))
after(() => rmSync(dir, { recursive: true, force: true }))
const WRITER = 'test/store/fixtures/storeWriter.ts'

function writer(path: string, name: string, count: number) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', WRITER, path, 'run-a', name, String(count)],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  const lines: string[] = []
  let stderr = ''
  let buffered = ''
  const waiters: { test: (l: string) => boolean; resolve: () => void }[] = []
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString()
    const parts = buffered.split('\n')
    buffered = parts.pop() ?? ''
    for (const line of parts) {
      lines.push(line)
      for (const w of waiters.splice(0))
        if (w.test(line)) w.resolve()
        else waiters.push(w)
    }
  })
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const seen = (test: (l: string) => boolean) =>
    new Promise<void>((resolve) => {
      if (lines.some(test)) resolve()
      else waiters.push({ test, resolve })
    })
  return { child, lines, exited, seen, stderr: () => stderr }
}

function integrity(path: string): unknown {
  const db = new Database(path, { readonly: true })
  try {
    return db.pragma('integrity_check')
  } finally {
    db.close()
  }
}

async function newStoreFile(name: string): Promise<string> {
  const path = join(dir, name)
  const store = await openSqliteRunStore(path)
  await store.createRun(initialOrchestratorState('run-a', policy), 0)
  await store.close()
  return path
}

describe('the SQLite store survives crashes and other processes', () => {
  it('kill -9 of a writer mid-way keeps every committed transition and the file intact', async () => {
    const path = await newStoreFile('killed.sqlite')
    const w = writer(path, 'owner-1', 0)
    await w.seen((l) => l === 'committed 25')
    w.child.kill('SIGKILL')
    assert.equal(await w.exited, null, 'killed by the signal')
    const reported = Math.max(
      ...w.lines.filter((l) => l.startsWith('committed ')).map((l) => Number(l.split(' ')[1])),
    )
    assert.deepEqual(integrity(path), [{ integrity_check: 'ok' }])
    const store = await openSqliteRunStore(path)
    try {
      const state = await store.loadRun('run-a')
      assert.ok(state)
      assert.ok(state.version >= reported, `reported ${reported}, stored ${state.version}`)
      const history = await store.listTransitions('run-a')
      assert.deepEqual(
        history.map((t) => t.sequence),
        Array.from({ length: state.version }, (_, i) => i + 1),
        'no gap and nothing half-written',
      )
      // The stored state is the one its last transition produced.
      assert.equal(state.connected.includes('owner-1'), history.at(-1)?.input.type === 'register')
    } finally {
      await store.close()
    }
  })

  it('closing the database inside an open transaction keeps only what was committed', async () => {
    const path = await newStoreFile('closed.sqlite')
    const raw = new Database(path)
    raw.exec('BEGIN')
    raw.prepare("UPDATE runs SET version = 999, phase = 'FAILED' WHERE run_id = 'run-a'").run()
    raw.close()
    assert.deepEqual(integrity(path), [{ integrity_check: 'ok' }])
    const store = await openSqliteRunStore(path)
    try {
      const state = await store.loadRun('run-a')
      assert.equal(state?.version, 0)
      assert.equal((await store.listRuns())[0]?.phase, 'WAITING_FOR_CLIENTS')
    } finally {
      await store.close()
    }
  })

  it('two processes writing at once: every transition committed once, each message once', async () => {
    const path = await newStoreFile('shared.sqlite')
    const writers = [writer(path, 'owner-1', 15), writer(path, 'owner-2', 15)]
    const codes = await Promise.all(writers.map((w) => w.exited))
    assert.deepEqual(codes, [0, 0], writers.map((w) => w.stderr()).join('\n'))
    const committed = writers.flatMap((w) =>
      w.lines.filter((l) => l.startsWith('committed ')).map((l) => Number(l.split(' ')[1])),
    )
    assert.equal(committed.length, 30)
    assert.deepEqual(
      [...committed].sort((a, b) => a - b),
      Array.from({ length: 30 }, (_, i) => i + 1),
      'each sequence committed by exactly one process',
    )
    const answers = writers.flatMap((w) => w.lines.filter((l) => l.startsWith('message ')))
    assert.equal(answers.filter((l) => l.endsWith(' recorded')).length, 15)
    assert.equal(answers.filter((l) => l.endsWith(' duplicate')).length, 15)
    const store = await openSqliteRunStore(path)
    try {
      assert.equal((await store.loadRun('run-a'))?.version, 30)
      assert.equal((await store.listMessages('run-a', 1)).length, 15)
    } finally {
      await store.close()
    }
    assert.deepEqual(integrity(path), [{ integrity_check: 'ok' }])
  })
})
