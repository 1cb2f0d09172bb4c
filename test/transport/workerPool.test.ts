import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createMemoryTransport, createWorkerPool } from '../../src/adapters/transport/index.ts'
import type { RunEvent } from '../../src/core/events/runEvent.ts'
import { createFedAvg } from '../../src/core/fl/createFedAvg.ts'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'
import { runFederation } from '../../src/runtime/runFederation.ts'

const entry = new URL('../fixtures/fitWorker.mjs', import.meta.url)
const clients = ['c-0', 'c-1', 'c-2', 'c-3']
const fit = (round: number) => ({
  type: 'fit',
  runId: 'pool',
  round,
  mode: 'params',
  params: new Float64Array([1, 2, 3]),
  training: { epochs: 1, batchSize: 8, learningRate: 0.1, momentum: 0 },
})

/** Four clients on two workers (c-0, c-2 on worker 0; c-1, c-3 on worker 1). */
function pool(crash?: { participant: string; round: number }) {
  return createWorkerPool({
    entry,
    participants: clients,
    workers: 2,
    init: () => ({ crash }),
  })
}

async function federate(crash: { participant: string; round: number }, rounds: number) {
  const workers = await pool(crash)
  const events: RunEvent[] = []
  try {
    const result = await runFederation({
      runId: 'pool',
      strategy: createFedAvg({
        sampling: { fraction: 1, minClients: 1 },
        training: { epochs: 1, batchSize: 8, learningRate: 0.1, momentum: 0 },
      }),
      transport: createMemoryTransport({ handlers: workers.handlers }),
      clients,
      rounds,
      initialParams: new Float64Array([1, 2, 3]),
      evaluate: () => ({ loss: 0, accuracy: 1 }) as never,
      rng: createSeededRng(1),
      emit: (e) => events.push(e),
      now: () => 0,
    })
    return { result, events }
  } finally {
    await workers.dispose()
  }
}

describe('worker pool', () => {
  it('a worker that exits mid-call rejects its pending call at once, and every later one', {
    timeout: 20_000,
  }, async () => {
    const workers = await pool({ participant: 'c-1', round: 1 })
    try {
      const handler = (id: string) => workers.handlers.get(id)!
      const healthy = await handler('c-0').handle(fit(1))
      assert.equal((healthy as { clientId: string }).clientId, 'c-0')
      await assert.rejects(handler('c-1').handle(fit(1)), /worker 1 exited with code 7/)
      // c-3 lives on the same worker: refused straight away, not left pending.
      await assert.rejects(handler('c-3').handle(fit(1)), /worker 1 exited with code 7/)
      // The other worker keeps serving.
      assert.equal(((await handler('c-2').handle(fit(1))) as { clientId: string }).clientId, 'c-2')
    } finally {
      await workers.dispose()
    }
  })

  it('a worker killed in round 2 of a run: the run completes without its clients', {
    timeout: 30_000,
  }, async () => {
    const { result, events } = await federate({ participant: 'c-1', round: 2 }, 3)
    assert.deepEqual(
      result.history.map((r) => r.accepted),
      [4, 2, 2],
    )
    const rejected = events.filter((e) => e.type === 'update-rejected')
    assert.deepEqual(
      rejected.map((e) => [e.round, e.clientId]),
      [
        [2, 'c-1'],
        [2, 'c-3'],
        [3, 'c-1'],
        [3, 'c-3'],
      ],
    )
    for (const e of rejected) assert.match(e.reason, /unreachable: worker 1 exited with code 7/)
  })

  it('every worker gone: the run fails with one message naming the round', {
    timeout: 30_000,
  }, async () => {
    // One worker per client would need four; with one worker every client dies with it.
    const workers = await createWorkerPool({
      entry,
      participants: clients,
      workers: 1,
      init: () => ({ crash: { participant: 'c-0', round: 2 } }),
    })
    try {
      await assert.rejects(
        runFederation({
          runId: 'pool',
          strategy: createFedAvg({
            sampling: { fraction: 1, minClients: 1 },
            training: { epochs: 1, batchSize: 8, learningRate: 0.1, momentum: 0 },
          }),
          transport: createMemoryTransport({ handlers: workers.handlers }),
          clients,
          rounds: 3,
          initialParams: new Float64Array([1, 2, 3]),
          evaluate: () => ({ loss: 0, accuracy: 1 }) as never,
          rng: createSeededRng(1),
          emit: () => {},
          now: () => 0,
        }),
        /round 2: no client returned a valid update/,
      )
    } finally {
      await workers.dispose()
    }
  })

  it('a worker script that cannot start fails the pool with its reason', {
    timeout: 20_000,
  }, async () => {
    await assert.rejects(
      createWorkerPool({
        entry: new URL('../fixtures/no-such-worker.mjs', import.meta.url),
        participants: clients,
        workers: 2,
        init: () => ({}),
      }),
      /worker \d crashed: .*no-such-worker/,
    )
  })
})
