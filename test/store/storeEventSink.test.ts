import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, it } from 'node:test'
import { createStoreEventSink, openSqliteRunStore } from '../../src/adapters/store/index.ts'
import type { RunEvent } from '../../src/core/events/runEvent.ts'
import { initialOrchestratorState } from '../../src/core/orchestrator/orchestratorState.ts'
import { policy } from './runStoreSuite.ts'

const dir = mkdtempSync(join(tmpdir(), 'msfl-store-sink-'))
after(() => rmSync(dir, { recursive: true, force: true }))

it('the store event sink writes events in emission order and reports a refused one without throwing', async () => {
  const store = await openSqliteRunStore(join(dir, 'events.sqlite'))
  try {
    await store.createRun(initialOrchestratorState('run-a', policy), 0)
    const failures: string[] = []
    const { sink, flush } = createStoreEventSink(store, (error, event) =>
      failures.push(`${event.type}: ${(error as Error).message}`),
    )
    const events: RunEvent[] = [
      { type: 'round-started', runId: 'run-a', at: 1, round: 1, clients: ['owner-1'] },
      { type: 'update-rejected', runId: 'run-a', at: 2, round: 1, clientId: 'o', reason: 'late' },
      { type: 'run-failed', runId: 'bad id', at: 3, error: 'x' },
      { type: 'run-failed', runId: 'run-a', at: 4, error: 'stopped' },
    ]
    for (const event of events) sink(event)
    await flush()
    const stored = await store.listEvents('run-a')
    assert.deepEqual(
      stored.map((s) => s.event),
      [events[0], events[1], events[3]],
    )
    assert.equal(failures.length, 1)
    assert.match(failures[0] ?? '', /run-failed: event\.runId: must start/)
    const after = await store.listEvents('run-a', stored[0]?.sequence)
    assert.equal(after.length, 2, 'a reader follows the stream from a sequence')
  } finally {
    await store.close()
  }
})
