import assert from 'node:assert/strict'
import http2 from 'node:http2'
import { after, before, describe, it } from 'node:test'
import tls from 'node:tls'
import type { FitInstruction } from '../../src/core/fl/messages.ts'
import type { MessageHandler } from '../../src/core/ports/transport.ts'
import { type Federation, startFederation } from './federationFixture.ts'

const WINDOW = 8 * 1024 * 1024

/** The SETTINGS the server sends a peer that connects with `identity`, once they carry `initialWindowSize`. */
async function advertisedWindow(f: Federation, identity: { key: string; cert: string }) {
  const session = http2.connect(`https://localhost:${f.server.port}`, {
    createConnection: () =>
      tls.connect({
        host: '127.0.0.1',
        port: f.server.port,
        ca: f.ca.cert,
        cert: identity.cert,
        key: identity.key,
        servername: 'localhost',
        ALPNProtocols: ['h2'],
      }),
  })
  try {
    // The server's first SETTINGS carry HTTP/2's defaults; the widened window follows in a
    // second SETTINGS frame, so wait (bounded) for the last one.
    for (let i = 0; i < 200; i++) {
      if (session.remoteSettings.initialWindowSize === WINDOW) break
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    return session.remoteSettings.initialWindowSize
  } finally {
    session.destroy()
  }
}

describe('HTTP/2 receive windows of a federation stream', () => {
  let f: Federation
  before(async () => {
    f = await startFederation({ limits: { flowControlWindowBytes: WINDOW } })
  })
  after(() => f.close())

  it('the service provider advertises the configured window to every peer', async () => {
    const owner = await f.ca.issue('data-owner', 'do-window')
    assert.equal(await advertisedWindow(f, owner), WINDOW)
  })

  it('multi-megabyte messages cross both ways intact under the widened windows', async () => {
    const identity = await f.ca.issue('data-owner', 'do-bulk')
    // Returns its parameters negated: 6 MiB of float64 each way.
    const negate: MessageHandler = {
      async handle(message) {
        const m = message as FitInstruction
        return {
          type: 'fit-result',
          round: m.round,
          clientId: 'do-bulk',
          kind: 'params',
          vector: m.params.map((v) => -v),
          numExamples: 10,
          trainLoss: 0.25,
        }
      },
    }
    f.join(identity, negate, { limits: { flowControlWindowBytes: WINDOW } })
    const deadline = { deadlineMs: 60_000 }
    await f.server.waitForPeers(['do-bulk'], deadline)
    const params = new Float64Array((6 * 1024 * 1024) / 8).map((_, i) => Math.sin(i) * 1e3)
    const reply = (await f.server.transport.request(
      'do-bulk',
      {
        type: 'fit',
        runId: 'run-1',
        round: 1,
        mode: 'params',
        params,
        training: { epochs: 1, batchSize: 4, learningRate: 0.1, momentum: 0 },
      },
      deadline,
    )) as { vector: Float64Array }
    assert.equal(reply.vector.length, params.length)
    assert.ok(reply.vector.every((v, i) => v === -params[i]!))
  })

  it('refuses a window below HTTP/2’s own or above 2^31 − 1, naming the field', async () => {
    await assert.rejects(startFederation({ limits: { flowControlWindowBytes: 1024 } }), {
      message: /limits\.flowControlWindowBytes: between 65535 and 2147483647, got 1024/,
    })
    await assert.rejects(startFederation({ limits: { flowControlWindowBytes: 2 ** 31 } }), {
      message: /limits\.flowControlWindowBytes/,
    })
  })
})
