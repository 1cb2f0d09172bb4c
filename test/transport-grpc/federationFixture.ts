import { createPrivateKey } from 'node:crypto'
import * as grpc from '@grpc/grpc-js'
import {
  CONNECT_PATH,
  connectToFederation,
  decodeEnvelope,
  type Envelope,
  type FederationEvent,
  type FederationLimits,
  type FederationServer,
  sealEnvelope,
  startFederationServer,
} from '../../src/adapters/transport-grpc/index.ts'
import type { MessageHandler } from '../../src/core/ports/transport.ts'
import { encodeMessage } from '../../src/core/wire/encodeMessage.ts'
import { createTestCa, type TestCa, type TestIdentity } from '../helpers/testPki.ts'

export const RUN = 'run-1'

/** A CA, the service provider's certificate and a running server that records its events. */
export interface Federation {
  readonly ca: TestCa
  readonly sp: TestIdentity
  readonly server: FederationServer
  readonly events: FederationEvent[]
  readonly endpoint: string
  /** Connects a participant serving `handler`; closed with the federation. */
  join(
    identity: TestIdentity,
    handler: MessageHandler,
    options?: {
      limits?: FederationLimits
      now?: () => number
      ca?: string
      events?: FederationEvent[]
    },
  ): ReturnType<typeof connectToFederation>
  close(): Promise<void>
}

export async function startFederation(
  options: {
    crl?: readonly TestIdentity[]
    limits?: FederationLimits
    ca?: TestCa
    hosts?: readonly string[]
  } = {},
): Promise<Federation> {
  const ca = options.ca ?? (await createTestCa('fed'))
  const sp = await ca.issue('service-provider', 'sp', {
    hosts: options.hosts ?? ['localhost', '127.0.0.1'],
  })
  const events: FederationEvent[] = []
  const server = await startFederationServer({
    host: '127.0.0.1',
    port: 0,
    tls: { key: sp.key, cert: sp.cert, ca: ca.cert, crl: await ca.crl(options.crl ?? []) },
    run: RUN,
    ...(options.limits ? { limits: options.limits } : {}),
    onEvent: (e) => events.push(e),
  })
  const connections: ReturnType<typeof connectToFederation>[] = []
  const endpoint = `127.0.0.1:${server.port}`
  return {
    ca,
    sp,
    server,
    events,
    endpoint,
    join(identity, handler, o = {}) {
      const connection = connectToFederation({
        endpoint,
        tls: { key: identity.key, cert: identity.cert, ca: o.ca ?? ca.cert },
        run: RUN,
        handler,
        reconnect: { initialDelayMs: 50, maxDelayMs: 200 },
        ...(o.limits ? { limits: o.limits } : {}),
        ...(o.now ? { now: o.now } : {}),
        ...(o.events ? { onEvent: (e: FederationEvent) => o.events!.push(e) } : {}),
      })
      connection.closed.catch(() => {})
      connections.push(connection)
      return connection
    },
    async close() {
      for (const c of connections) c.close()
      await server.close()
    },
  }
}

/** Refusal reasons recorded so far. */
export function refusals(events: readonly FederationEvent[]): string[] {
  return events.flatMap((e) => (e.type === 'refused' ? [e.reason] : []))
}

/** Resolves once `predicate` holds for the events (polled on the event loop, no timing assumptions beyond the test's own timeout). */
export async function eventually(predicate: () => boolean): Promise<void> {
  while (!predicate()) await new Promise((r) => setTimeout(r, 10))
}

/**
 * A participant speaking the stream by hand, so a test can send what a real participant
 * never would (tampered, replayed, stale envelopes).
 */
export async function manualParticipant(
  federation: Federation,
  identity: TestIdentity,
  now: () => number = Date.now,
) {
  const client = new grpc.Client(
    federation.endpoint,
    grpc.credentials.createSsl(
      Buffer.from(federation.ca.cert),
      Buffer.from(identity.key),
      Buffer.from(identity.cert),
    ),
  )
  const call = client.makeBidiStreamRequest<Buffer, Buffer>(
    CONNECT_PATH,
    (d) => d,
    (d) => d,
  )
  call.on('error', () => {})
  const received: Envelope[] = []
  call.on('data', (data: Buffer) => received.push(decodeEnvelope(data, 1 << 20)))
  const sender = { name: identity.name, run: RUN, key: createPrivateKey(identity.key), now }
  const seal = (envelope: Parameters<typeof sealEnvelope>[1]) => sealEnvelope(sender, envelope)
  const send = (bytes: Uint8Array) => call.write(Buffer.from(bytes))
  send(seal({ kind: 'hello', round: 0, payload: encodeMessage({}) }))
  return {
    received,
    seal,
    send,
    close() {
      call.cancel()
      client.close()
    },
  }
}
