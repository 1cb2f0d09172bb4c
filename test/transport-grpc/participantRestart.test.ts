import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { it } from 'node:test'
import type { FitInstruction } from '../../src/core/fl/messages.ts'
import { RUN, startFederation } from './federationFixture.ts'

const fit: FitInstruction = {
  type: 'fit',
  runId: RUN,
  round: 1,
  mode: 'params',
  params: new Float64Array([10, 20]),
  training: { epochs: 1, batchSize: 1, learningRate: 0.1, momentum: 0 },
}

it('a participant process killed and restarted rejoins and is served again', {
  timeout: 120_000,
}, async () => {
  const f = await startFederation()
  const identity = await f.ca.issue('data-owner', 'do-1')
  const launch = (generation: number): ChildProcess =>
    spawn(process.execPath, ['--import', 'tsx', 'test/transport-grpc/participantProcess.ts'], {
      env: {
        ...process.env,
        MSFL_TEST_PARTICIPANT: JSON.stringify({
          endpoint: `localhost:${f.server.port}`,
          name: identity.name,
          key: identity.key,
          cert: identity.cert,
          ca: f.ca.cert,
          run: RUN,
          generation,
        }),
      },
      stdio: 'ignore',
    })
  let child = launch(1)
  try {
    await f.server.waitForPeers(['do-1'], { deadlineMs: 60_000 })
    const first = (await f.server.transport.request('do-1', fit, { deadlineMs: 30_000 })) as {
      vector: Float64Array
    }
    assert.deepEqual([...first.vector], [11, 21])
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGKILL')
    await exited
    child = launch(2)
    // The new process's stream replaces the old one whether or not its death was noticed.
    let second: { vector: Float64Array } | undefined
    while (!second) {
      await f.server.waitForPeers(['do-1'], { deadlineMs: 60_000 })
      second = (await f.server.transport
        .request('do-1', fit, { deadlineMs: 30_000 })
        .catch(() => undefined)) as { vector: Float64Array } | undefined
      if (!second) await new Promise((r) => setTimeout(r, 50))
    }
    assert.deepEqual([...second.vector], [12, 22])
  } finally {
    child.kill('SIGKILL')
    await f.close()
  }
})
