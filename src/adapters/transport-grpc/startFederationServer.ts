import { createPrivateKey } from 'node:crypto'
import type { AddressInfo, Socket } from 'node:net'
import tls from 'node:tls'
import * as grpc from '@grpc/grpc-js'
import { MsflError } from '../../core/errors/msflError.ts'
import type { ProtocolMessage, RequestOptions, Transport } from '../../core/ports/transport.ts'
import { encodeMessage } from '../../core/wire/encodeMessage.ts'
import { settleWithin } from '../transport/index.ts'
import { createFreshnessCheck } from './createFreshnessCheck.ts'
import { createPeerSession, type PeerSession } from './createPeerSession.ts'
import type { FederationEventSink } from './federationEvent.ts'
import { channelOptions, type FederationLimits, resolveLimits } from './federationLimits.ts'
import { federationService } from './federationService.ts'
import { refuseRecipient } from './messageRoles.ts'
import { openEnvelope } from './openEnvelope.ts'
import { type FederationRole, type PeerIdentity, readPeerIdentity } from './peerIdentity.ts'
import { revokedSerials } from './revokedSerials.ts'
import { asBuffer, sealEnvelope } from './sealEnvelope.ts'
import { serverTlsOptions, type TlsMaterial } from './tlsOptions.ts'
import { certificateRefusal, remote, tlsReason } from './tlsRefusal.ts'

/** How the service provider listens, who it is, and what it lets through. */
export interface FederationServerParameters {
  /** Interface to listen on (e.g. `0.0.0.0`, `127.0.0.1`). */
  readonly host: string
  /** TCP port; 0 picks a free one (see `port` on the result). */
  readonly port: number
  /**
   * The service provider's certificate and key (also its envelope signing key: one key,
   * so the two cannot disagree), the federation CA and its CRL.
   */
  readonly tls: TlsMaterial
  /** The run (job) this server serves; envelopes of other runs are refused. */
  readonly run: string
  /**
   * Why `role` may not receive a request of `type`, or undefined when it may (default: the
   * MESSAGE_RULES table).
   */
  readonly authorise?: (role: FederationRole, type: string) => string | undefined
  readonly limits?: FederationLimits
  /** Milliseconds since the epoch (default Date.now); used for envelope timestamps. */
  readonly now?: () => number
  /** Log hook: refusals, connections and disconnections. */
  readonly onEvent?: FederationEventSink
}

/** Bytes on the TCP connections (TLS records, HTTP/2 and gRPC framing included). */
export interface WireStats {
  readonly bytesSent: number
  readonly bytesReceived: number
}

/** A running service provider endpoint. */
export interface FederationServer {
  /** The port it listens on. */
  readonly port: number
  /**
   * The transport the protocols run on: `request(to, …)` goes down the stream of the
   * participant whose certificate CN is `to`. Its stats count codec bytes of the
   * protocol messages, as the in-memory transport does.
   */
  readonly transport: Transport
  /** Resolves once every named participant has connected and said hello. */
  waitForPeers(names: readonly string[], options: { readonly deadlineMs: number }): Promise<void>
  /** The participants connected now, with their certificates' serial numbers (uppercase hex). */
  peers(): readonly {
    readonly name: string
    readonly role: FederationRole
    readonly serialNumber: string
  }[]
  /** Bytes on the wire so far, for framing overhead in benchmarks. */
  wireStats(): WireStats
  /**
   * Replaces the CRL: new connections are checked against it, and connected participants
   * whose certificate it revokes are disconnected at once.
   */
  updateCrl(crl: string | Buffer): void
  /** Ends every stream and stops listening. */
  close(): Promise<void>
}

/**
 * Starts the service provider's endpoint: TLS 1.3 with required client certificates
 * (verified against the federation CA and CRL during the handshake, so a peer without a
 * valid certificate never reaches gRPC), then the federation service on the authenticated
 * socket. The TLS listener is msfl's own (node:tls) and hands each authenticated socket to
 * grpc-js through `createConnectionInjector`: that is how the listener gets `minVersion`,
 * the CRL, a refusal reason for every failed handshake and the wire byte counts, none of
 * which grpc-js's own credentials expose.
 */
export async function startFederationServer(
  p: FederationServerParameters,
): Promise<FederationServer> {
  const limits = resolveLimits(p.limits)
  const now = p.now ?? Date.now
  const emit: FederationEventSink = p.onEvent ?? (() => {})
  const authorise = p.authorise ?? refuseRecipient
  const self = readPeerIdentity(p.tls.cert)
  if (self.role !== 'service-provider')
    throw new MsflError(
      'CONFIG_INVALID',
      `tls.cert: a ${self.role} certificate cannot run the service provider`,
    )
  const sender = { name: self.name, run: p.run, key: createPrivateKey(p.tls.key), now }
  const receiver = {
    run: p.run,
    freshness: createFreshnessCheck(limits.freshnessWindowMs, now),
    maxBytes: limits.maxMessageBytes,
  }
  const sessions = new Map<string, PeerSession>()
  const arrivals = new Set<() => void>()
  let wire = { bytesSent: 0, bytesReceived: 0 }
  const sockets = new Set<Socket>()
  let revoked = revokedSerials(p.tls.crl)

  // A message over gRPC's own limit (maxMessageBytes plus the envelope's room) ends the
  // stream with RESOURCE_EXHAUSTED, which grpc-js reports to the participant only (its
  // log names the sizes); here it is a disconnection. Below that limit the envelope
  // checks refuse an oversized payload with the reason and keep the stream.
  const grpcServer = new grpc.Server(channelOptions(limits))
  grpcServer.addService(federationService, {
    Connect: (call: grpc.ServerDuplexStream<Buffer, Buffer>) => acceptStream(call),
  })
  const injector = grpcServer.createConnectionInjector(grpc.ServerCredentials.createInsecure())
  let tlsOptions = serverTlsOptions(p.tls)
  const listener = tls.createServer(tlsOptions, (socket) => {
    // Node closes a socket whose certificate fails verification without saying why, so
    // the listener verifies (rejectUnauthorized: false) and refuses here, with the reason.
    if (!socket.authorized) {
      const presented = Object.keys(socket.getPeerCertificate()).length > 0
      const reason = presented
        ? certificateRefusal(socket.authorizationError)
        : 'no client certificate'
      emit({ type: 'refused', peer: remote(socket), reason: `TLS client certificate: ${reason}` })
      socket.destroy()
      return
    }
    injector.injectConnection(socket)
  })
  listener.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.once('close', () => {
      wire = {
        bytesSent: wire.bytesSent + socket.bytesWritten,
        bytesReceived: wire.bytesReceived + socket.bytesRead,
      }
      sockets.delete(socket)
    })
  })
  listener.on('tlsClientError', (error, socket) =>
    emit({ type: 'refused', peer: remote(socket), reason: `TLS handshake: ${tlsReason(error)}` }),
  )
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject)
    listener.listen(p.port, p.host, () => {
      listener.off('error', reject)
      resolve()
    })
  })

  function acceptStream(call: grpc.ServerDuplexStream<Buffer, Buffer>): undefined {
    const where = call.getPeer()
    const refuseStream = (reason: string): undefined => {
      emit({ type: 'refused', peer: where, reason })
      call.destroy(new Error(reason))
    }
    const raw = call.getAuthContext().sslPeerCertificate?.raw
    if (!raw) return refuseStream('no verified client certificate')
    let identity: PeerIdentity
    try {
      identity = readPeerIdentity(raw)
    } catch (error) {
      return refuseStream(`client certificate: ${(error as Error).message}`)
    }
    if (identity.federation !== self.federation)
      return refuseStream(
        `${identity.name}: certificate of federation ${identity.federation}, this is ${self.federation}`,
      )
    if (identity.role === 'service-provider')
      return refuseStream(
        `${identity.name}: a service-provider certificate cannot join as a participant`,
      )
    if (revoked.has(identity.serialNumber))
      return refuseStream(`${identity.name}: certificate revoked`)
    const refuse = (reason: string) => emit({ type: 'refused', peer: identity.name, reason })
    let session: PeerSession | undefined
    const helloTimer = setTimeout(
      () => refuseStream(`${identity.name}: no hello within ${limits.helloTimeoutMs} ms`),
      limits.helloTimeoutMs,
    )
    call.on('data', (data: Buffer) => {
      if (session) return session.receive(data)
      const opened = openEnvelope(data, identity, receiver)
      if ('refused' in opened) return refuse(opened.refused)
      if (opened.envelope.kind !== 'hello')
        return refuse(`expected a hello first, got a ${opened.envelope.kind}`)
      clearTimeout(helloTimer)
      session = createPeerSession(call, identity, sender, receiver, refuse)
      // A restarted participant replaces its old stream at once (Flower #4844).
      sessions.get(identity.name)?.end('replaced by a new connection of the same participant')
      sessions.set(identity.name, session)
      call.write(
        asBuffer(sealEnvelope(sender, { kind: 'hello', round: 0, payload: encodeMessage({}) })),
      )
      emit({ type: 'peer-connected', peer: identity.name, role: identity.role })
      for (const arrival of arrivals) arrival()
    })
    const closed = (reason: string) => {
      clearTimeout(helloTimer)
      if (!session) return
      session.end(reason)
      if (sessions.get(identity.name) === session) {
        sessions.delete(identity.name)
        emit({ type: 'peer-disconnected', peer: identity.name, reason })
      }
      session = undefined
    }
    call.on('end', () => closed('the participant ended its stream'))
    call.on('error', (error: Error) => closed(`stream error: ${error.message}`))
    call.on('close', () => closed('the connection closed'))
  }

  // A request sent to several owners in one turn of the event loop (collectReplies asks every
  // owner at once) is encoded once; the cache is dropped at the end of the turn, so a message
  // object changed afterwards is encoded afresh.
  let encodedThisTurn: WeakMap<object, Uint8Array> | undefined
  const encodeOnce = (message: ProtocolMessage): Uint8Array => {
    if (!encodedThisTurn) {
      encodedThisTurn = new WeakMap()
      setImmediate(() => {
        encodedThisTurn = undefined
      })
    }
    let payload = encodedThisTurn.get(message)
    if (!payload) {
      payload = encodeMessage(message)
      encodedThisTurn.set(message, payload)
    }
    return payload
  }
  const transport: Transport = {
    async request(to: string, message: ProtocolMessage, options: RequestOptions) {
      const session = sessions.get(to)
      if (!session) throw new MsflError('TRANSPORT', `${JSON.stringify(to)} is not connected`)
      const refusal = authorise(session.identity.role, message.type)
      if (refusal) {
        emit({ type: 'refused', peer: to, reason: `request not sent: ${refusal}` })
        throw new MsflError('TRANSPORT', `${to}: ${refusal}`)
      }
      const payload = encodeOnce(message)
      if (payload.length > limits.maxMessageBytes)
        throw new MsflError(
          'TRANSPORT',
          `${to}: ${message.type} of ${payload.length} bytes exceeds the limit of ${limits.maxMessageBytes}`,
        )
      requests += 1
      bytesSent += payload.length
      const pending = session.request(message, payload)
      try {
        const reply = await settleWithin(pending.reply, options, to)
        bytesReceived += reply.bytes
        return reply.body
      } finally {
        pending.forget()
      }
    },
    stats: () => ({ requests, bytesSent, bytesReceived }),
  }
  let requests = 0
  let bytesSent = 0
  let bytesReceived = 0

  return {
    port: (listener.address() as AddressInfo).port,
    transport,
    waitForPeers(names, { deadlineMs }) {
      const missing = () => names.filter((name) => !sessions.has(name))
      if (missing().length === 0) return Promise.resolve()
      let arrival = () => {}
      const all = new Promise<void>((resolve) => {
        arrival = () => {
          if (missing().length === 0) resolve()
        }
        arrivals.add(arrival)
      })
      return settleWithin(all, { deadlineMs }, 'waitForPeers')
        .catch((error: unknown) => {
          throw error instanceof MsflError && error.code === 'DEADLINE'
            ? new MsflError(
                'DEADLINE',
                `participants not connected within ${deadlineMs} ms: ${missing().join(', ')}`,
              )
            : error
        })
        .finally(() => arrivals.delete(arrival))
    },
    peers: () =>
      [...sessions.values()].map(({ identity }) => ({
        name: identity.name,
        role: identity.role,
        serialNumber: identity.serialNumber,
      })),
    wireStats() {
      let { bytesSent, bytesReceived } = wire
      for (const socket of sockets) {
        bytesSent += socket.bytesWritten
        bytesReceived += socket.bytesRead
      }
      return { bytesSent, bytesReceived }
    },
    updateCrl(crl) {
      const next = revokedSerials(crl)
      tlsOptions = serverTlsOptions({ ...p.tls, crl })
      listener.setSecureContext(tlsOptions)
      revoked = next
      for (const [name, session] of sessions) {
        if (!revoked.has(session.identity.serialNumber)) continue
        emit({
          type: 'refused',
          peer: name,
          reason: 'certificate revoked by the updated CRL; disconnected',
        })
        session.end('certificate revoked')
        sessions.delete(name)
      }
    },
    async close() {
      for (const session of sessions.values()) session.end('the service provider is closing')
      sessions.clear()
      injector.destroy()
      grpcServer.forceShutdown()
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => listener.close(() => resolve()))
    },
  }
}
