import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import tls from 'node:tls'
import type { FederationEvent } from '../../src/adapters/transport-grpc/index.ts'
import type { FitInstruction } from '../../src/core/fl/messages.ts'
import type { MessageHandler } from '../../src/core/ports/transport.ts'
import { decodeMessage } from '../../src/core/wire/decodeMessage.ts'
import { encodeMessage } from '../../src/core/wire/encodeMessage.ts'
import { createTestCa } from '../helpers/testPki.ts'
import {
  eventually,
  type Federation,
  manualParticipant,
  refusals,
  startFederation,
} from './federationFixture.ts'

const fit = (round: number, params = new Float64Array([1, 2, 3])): FitInstruction => ({
  type: 'fit',
  runId: 'run-1',
  round,
  mode: 'params',
  params,
  training: { epochs: 1, batchSize: 4, learningRate: 0.1, momentum: 0 },
})

/** An honest data owner: returns its parameters doubled. */
const owner = (name: string, calls: unknown[] = []): MessageHandler => ({
  async handle(message) {
    calls.push(message)
    const m = message as FitInstruction
    return {
      type: 'fit-result',
      round: m.round,
      clientId: name,
      kind: 'params',
      vector: m.params.map((v) => 2 * v),
      numExamples: 10,
      trainLoss: 0.25,
    }
  },
})

const quick = { deadlineMs: 5_000 }

describe('gRPC federation transport', () => {
  let f: Federation
  before(async () => {
    f = await startFederation()
    f.join(await f.ca.issue('data-owner', 'do-1'), owner('do-1'))
    await f.server.waitForPeers(['do-1'], quick)
  })
  after(() => f.close())

  /** The server still serves do-1 after whatever the test did. */
  async function stillServes() {
    const reply = (await f.server.transport.request('do-1', fit(7), quick)) as {
      vector: Float64Array
    }
    assert.deepEqual([...reply.vector], [2, 4, 6])
  }

  it('carries a protocol message and its reply intact, counting codec bytes', async () => {
    const before = f.server.transport.stats()
    const message = fit(1, new Float64Array([0.5, -1e-300, Number.MAX_VALUE]))
    const reply = await f.server.transport.request('do-1', message, quick)
    assert.deepEqual(reply, {
      type: 'fit-result',
      round: 1,
      clientId: 'do-1',
      kind: 'params',
      vector: new Float64Array([1, -2e-300, Number.POSITIVE_INFINITY]),
      numExamples: 10,
      trainLoss: 0.25,
    })
    const after = f.server.transport.stats()
    assert.equal(after.requests - before.requests, 1)
    assert.equal(after.bytesSent - before.bytesSent, encodeMessage(message).length)
    assert.equal(after.bytesReceived - before.bytesReceived, encodeMessage(reply).length)
    const wire = f.server.wireStats()
    assert.ok(wire.bytesSent > after.bytesSent && wire.bytesReceived > after.bytesReceived)
    const peers = f.server.peers()
    assert.deepEqual(
      peers.map(({ name, role }) => ({ name, role })),
      [{ name: 'do-1', role: 'data-owner' }],
    )
    assert.match(peers[0]!.serialNumber, /^[0-9A-F]+$/, 'the certificate serial, for the run store')
  })

  it('refuses a connection without a client certificate during the TLS handshake', async () => {
    const socket = tls.connect({
      host: '127.0.0.1',
      port: f.server.port,
      ca: f.ca.cert,
      servername: 'localhost',
      ALPNProtocols: ['h2'],
    })
    await new Promise((resolve) => socket.on('error', resolve).on('close', resolve))
    await eventually(() =>
      refusals(f.events).some((r) => /TLS client certificate: no client certificate/.test(r)),
    )
    await stillServes()
  })

  it('refuses TLS 1.2', async () => {
    const identity = await f.ca.issue('data-owner', 'old-tls')
    const socket = tls.connect({
      host: '127.0.0.1',
      port: f.server.port,
      ca: f.ca.cert,
      cert: identity.cert,
      key: identity.key,
      servername: 'localhost',
      maxVersion: 'TLSv1.2',
    })
    const error = await new Promise<Error>((resolve) => socket.on('error', resolve))
    assert.match(error.message, /protocol version/)
    await eventually(() => refusals(f.events).some((r) => /unsupported protocol/.test(r)))
    assert.ok(!f.server.peers().some((p) => p.name === 'old-tls'))
  })

  it('refuses a certificate from another CA, and an expired one', async () => {
    const other = await createTestCa('fed')
    const stranger = await other.issue('data-owner', 'stranger')
    f.join(stranger, owner('stranger'), { ca: f.ca.cert })
    await eventually(() =>
      refusals(f.events).some((r) =>
        /TLS client certificate: certificate not issued by the federation CA/.test(r),
      ),
    )
    const expired = await f.ca.issue('data-owner', 'expired', { expired: true })
    f.join(expired, owner('expired'))
    await eventually(() =>
      refusals(f.events).some((r) => /TLS client certificate: certificate has expired/.test(r)),
    )
    assert.deepEqual(
      f.server.peers().map((p) => p.name),
      ['do-1'],
    )
    await stillServes()
  })

  it('refuses a request type the peer’s role may not receive, without sending it', async () => {
    const calls: unknown[] = []
    f.join(await f.ca.issue('verifier', 'v-1'), owner('v-1', calls))
    await f.server.waitForPeers(['v-1'], quick)
    await assert.rejects(f.server.transport.request('v-1', fit(1), quick), {
      code: 'TRANSPORT',
      message: /a verifier may not receive "fit" \(only data-owner\)/,
    })
    assert.ok(
      refusals(f.events).some((r) => /request not sent: a verifier may not receive "fit"/.test(r)),
    )
    await assert.rejects(
      f.server.transport.request(
        'do-1',
        {
          type: 'key-holder-decrypt',
          round: 1,
          length: 1,
          contributors: 2,
          sum: [new Uint8Array(4)],
        },
        quick,
      ),
      /a data-owner may not receive "key-holder-decrypt"/,
    )
    assert.equal(calls.length, 0)
  })

  it('refuses a reply of the wrong type, logged, and fails the request at once (not at its deadline)', async () => {
    f.join(await f.ca.issue('data-owner', 'wrong-reply'), {
      handle: async () => ({ type: 'msfl-selection', round: 1, ledgerRound: 'x' }),
    })
    await f.server.waitForPeers(['wrong-reply'], quick)
    await assert.rejects(
      f.server.transport.request('wrong-reply', fit(1), { deadlineMs: 60_000 }),
      { code: 'PROTOCOL', message: /wrong-reply: a "msfl-selection" reply does not answer "fit"/ },
    )
    assert.ok(
      refusals(f.events).some((r) => /"msfl-selection" reply does not answer "fit"/.test(r)),
    )
  })

  it('refuses a tampered signature and a replayed reply, and keeps the request pending', async () => {
    const identity = await f.ca.issue('data-owner', 'manual')
    const manual = await manualParticipant(f, identity)
    await f.server.waitForPeers(['manual'], quick)
    const pending = f.server.transport.request('manual', fit(3), { deadlineMs: 5_000 })
    await eventually(() => manual.received.some((e) => e.kind === 'request'))
    const request = manual.received.find((e) => e.kind === 'request')!
    assert.equal(request.round, 3)
    const body = decodeMessage(request.payload) as FitInstruction
    const reply = manual.seal({
      kind: 'reply',
      id: request.id,
      round: 3,
      payload: encodeMessage(await owner('manual').handle(body)),
    })
    // Flip the last byte of the signature (the envelope's last field).
    const tampered = reply.slice()
    tampered[tampered.length - 1] = tampered[tampered.length - 1]! ^ 1
    manual.send(tampered)
    await eventually(() => refusals(f.events).some((r) => /bad signature: the reply/.test(r)))
    manual.send(reply)
    const answer = (await pending) as { vector: Float64Array }
    assert.deepEqual([...answer.vector], [2, 4, 6])
    manual.send(reply)
    await eventually(() => refusals(f.events).some((r) => /replayed envelope: reply/.test(r)))
    manual.close()
    await stillServes()
  })

  it('refuses an envelope with a stale timestamp', async () => {
    const identity = await f.ca.issue('data-owner', 'slow-clock')
    const manual = await manualParticipant(f, identity, () => Date.now() - 120_000)
    await eventually(() =>
      refusals(f.events).some((r) => /stale timestamp: signed 1\d{5} ms ago/.test(r)),
    )
    assert.ok(!f.server.peers().some((p) => p.name === 'slow-clock'))
    manual.close()
  })

  it('refuses an envelope whose sender is not the certificate’s name', async () => {
    const identity = await f.ca.issue('data-owner', 'impostor')
    const manual = await manualParticipant(f, { ...identity, name: 'do-1' })
    await eventually(() =>
      refusals(f.events).some((r) =>
        /sender "do-1" is not the certificate's name "impostor"/.test(r),
      ),
    )
    manual.close()
    await stillServes()
  })

  it('a peer that never answers: its request hits the deadline, others are served', async () => {
    f.join(await f.ca.issue('data-owner', 'silent'), { handle: () => new Promise(() => {}) })
    await f.server.waitForPeers(['silent'], quick)
    const silent = f.server.transport.request('silent', fit(1), { deadlineMs: 300 })
    await stillServes()
    await assert.rejects(silent, { code: 'DEADLINE', message: /silent: no reply within 300 ms/ })
    const abort = new AbortController()
    const abandoned = f.server.transport.request('silent', fit(2), {
      deadlineMs: 5_000,
      signal: abort.signal,
    })
    abort.abort()
    await assert.rejects(abandoned, { code: 'DEADLINE', message: /abandoned/ })
  })
})

describe('gRPC federation transport limits and revocation', () => {
  it('refuses an oversized reply and keeps serving other participants', async () => {
    const f = await startFederation({ limits: { maxMessageBytes: 2048 } })
    try {
      f.join(await f.ca.issue('data-owner', 'do-1'), owner('do-1'))
      // This participant's own limit is larger, so the server's is what refuses.
      const bigEvents: FederationEvent[] = []
      f.join(
        await f.ca.issue('data-owner', 'big'),
        {
          handle: async () => ({
            type: 'fit-result',
            round: 1,
            clientId: 'big',
            kind: 'params',
            vector: new Float64Array(1024),
            numExamples: 1,
            trainLoss: 0,
          }),
        },
        { limits: { maxMessageBytes: 1 << 20 }, events: bigEvents },
      )
      await f.server.waitForPeers(['do-1', 'big'], quick)
      await assert.rejects(f.server.transport.request('big', fit(1), quick), { code: 'TRANSPORT' })
      // The envelope is over gRPC's limit (2048 + 4096 bytes of room): gRPC ends the stream
      // and tells the participant why; the server sees the disconnection.
      assert.ok(f.events.some((e) => e.type === 'peer-disconnected' && e.peer === 'big'))
      await eventually(() =>
        bigEvents.some(
          (e) =>
            e.type === 'reconnecting' &&
            /RESOURCE_EXHAUSTED: Received message larger than max \(\d+ vs 6144\)/.test(e.reason),
        ),
      )
      // Within gRPC's room, the envelope check refuses it with the reason; the stream stays.
      f.join(
        await f.ca.issue('data-owner', 'edge'),
        {
          handle: async () => ({
            type: 'fit-result',
            round: 1,
            clientId: 'edge',
            kind: 'params',
            vector: new Float64Array(300),
            numExamples: 1,
            trainLoss: 0,
          }),
        },
        { limits: { maxMessageBytes: 1 << 20 } },
      )
      await f.server.waitForPeers(['edge'], quick)
      await assert.rejects(f.server.transport.request('edge', fit(1), { deadlineMs: 300 }), {
        code: 'DEADLINE',
      })
      assert.ok(
        refusals(f.events).some((r) => /malformed envelope: .*2048/.test(r)),
        refusals(f.events).join('\n'),
      )
      assert.ok(f.server.peers().some((p) => p.name === 'edge'))
      const oversizedRequest = fit(1, new Float64Array(1024))
      await assert.rejects(
        f.server.transport.request('do-1', oversizedRequest, quick),
        /exceeds the limit of 2048/,
      )
      const reply = (await f.server.transport.request('do-1', fit(1), quick)) as {
        vector: Float64Array
      }
      assert.deepEqual([...reply.vector], [2, 4, 6])
    } finally {
      await f.close()
    }
  })

  it('refuses a revoked certificate at the handshake, and disconnects one revoked later', async () => {
    const ca = await createTestCa('fed')
    const revoked = await ca.issue('data-owner', 'revoked')
    const f = await startFederation({ ca, crl: [revoked] })
    try {
      f.join(revoked, owner('revoked'))
      await eventually(() =>
        refusals(f.events).some((r) =>
          /TLS client certificate: certificate revoked \(CRL\)/.test(r),
        ),
      )
      const later = await ca.issue('data-owner', 'later')
      f.join(later, owner('later'))
      await f.server.waitForPeers(['later'], quick)
      f.server.updateCrl(await ca.crl([revoked, later]))
      assert.ok(refusals(f.events).some((r) => /revoked by the updated CRL/.test(r)))
      assert.deepEqual(f.server.peers(), [])
      await assert.rejects(f.server.transport.request('later', fit(1), quick), /not connected/)
    } finally {
      await f.close()
    }
  })

  it('a participant checks the server’s name and says which names its certificate has', async () => {
    const ca = await createTestCa('fed')
    const f = await startFederation({ ca, hosts: ['sp.example.org'] })
    try {
      const identity = await ca.issue('data-owner', 'do-1')
      const { connectToFederation } = await import('../../src/adapters/transport-grpc/index.ts')
      const connection = connectToFederation({
        endpoint: `127.0.0.1:${f.server.port}`,
        tls: { key: identity.key, cert: identity.cert, ca: ca.cert },
        run: 'run-1',
        handler: owner('do-1'),
      })
      await assert.rejects(connection.closed, {
        code: 'TRANSPORT',
        message:
          /does not name "127\.0\.0\.1"; it names URI:msfl:\/\/fed\/service-provider\/sp, DNS:sp\.example\.org/,
      })
    } finally {
      await f.close()
    }
  })
})
