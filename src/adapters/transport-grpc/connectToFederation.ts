import { createPrivateKey, randomInt } from 'node:crypto'
import { isIP } from 'node:net'
import tls from 'node:tls'
import * as grpc from '@grpc/grpc-js'
import { MsflError } from '../../core/errors/msflError.ts'
import type { MessageHandler } from '../../core/ports/transport.ts'
import { encodeMessage } from '../../core/wire/encodeMessage.ts'
import { createFreshnessCheck } from './createFreshnessCheck.ts'
import type { Envelope } from './envelope.ts'
import type { FederationEventSink } from './federationEvent.ts'
import { channelOptions, type FederationLimits, resolveLimits } from './federationLimits.ts'
import { CONNECT_PATH } from './federationService.ts'
import { refuseRecipient } from './messageRoles.ts'
import { openEnvelope } from './openEnvelope.ts'
import { type PeerIdentity, readPeerIdentity } from './peerIdentity.ts'
import { asBuffer, sealEnvelope } from './sealEnvelope.ts'
import { clientSecureContext, type TlsMaterial } from './tlsOptions.ts'

/** How a participant reaches the service provider and answers its requests. */
export interface FederationClientParameters {
  /** The service provider's `host:port`; the host must be named in its certificate's SAN. */
  readonly endpoint: string
  /** This participant's certificate (its CN is its node id, its OU its role), key, CA. */
  readonly tls: TlsMaterial
  /** The run (job) to join; envelopes of other runs are refused. */
  readonly run: string
  /** Answers every request the service provider sends down the stream. */
  readonly handler: MessageHandler
  readonly limits?: FederationLimits
  /** Waits between reconnection attempts: doubling from `initialDelayMs` up to `maxDelayMs`. */
  readonly reconnect?: {
    readonly initialDelayMs?: number
    readonly maxDelayMs?: number
    /** Consecutive failed attempts before giving up (default: never give up). */
    readonly maxAttempts?: number
  }
  /** Milliseconds since the epoch (default Date.now); used for envelope timestamps. */
  readonly now?: () => number
  /** Log hook: refusals, connections, reconnections. */
  readonly onEvent?: FederationEventSink
}

/** A participant's connection: it reconnects by itself until closed. */
export interface FederationConnection {
  /**
   * Settles when the connection ends for good: resolves after `close()`, rejects with
   * MsflError('TRANSPORT') when the service provider's certificate is not the expected one
   * or `maxAttempts` consecutive attempts failed.
   */
  readonly closed: Promise<void>
  /** Ends the stream and stops reconnecting. */
  close(): void
}

/**
 * Connects a participant outbound to the service provider (so it needs no open port) and
 * serves `handler` over the stream: TLS 1.3 with its certificate, the server's certificate
 * checked against the endpoint's host (the error names the expected host and the names the
 * certificate has) and against the federation (role service-provider, same federation), a
 * signed hello each way, then requests down and signed replies up. When the stream drops
 * it reconnects with doubling, jittered delays; a restarted participant simply connects
 * again and the service provider replaces its old stream.
 */
export function connectToFederation(p: FederationClientParameters): FederationConnection {
  const limits = resolveLimits(p.limits)
  const now = p.now ?? Date.now
  const emit: FederationEventSink = p.onEvent ?? (() => {})
  const self = readPeerIdentity(p.tls.cert)
  const sender = { name: self.name, run: p.run, key: createPrivateKey(p.tls.key), now }
  const receiver = {
    run: p.run,
    freshness: createFreshnessCheck(limits.freshnessWindowMs, now),
    maxBytes: limits.maxMessageBytes,
  }
  const initialDelayMs = p.reconnect?.initialDelayMs ?? 250
  const maxDelayMs = p.reconnect?.maxDelayMs ?? 10_000
  const maxAttempts = p.reconnect?.maxAttempts ?? Number.POSITIVE_INFINITY
  const expectedHost = hostOf(p.endpoint)
  let server: PeerIdentity | undefined
  let fatal: string | undefined

  const checkServerIdentity = (_host: string, cert: tls.PeerCertificate): Error | undefined => {
    const mismatch = tls.checkServerIdentity(expectedHost, cert)
    if (mismatch) {
      fatal = `the service provider's certificate does not name ${JSON.stringify(expectedHost)}; it names ${cert.subjectaltname || '(no alternative names)'}`
      return new Error(fatal)
    }
    try {
      const identity = readPeerIdentity(cert.raw)
      if (identity.role !== 'service-provider')
        throw new Error(`its role is ${identity.role}, not service-provider`)
      if (identity.federation !== self.federation)
        throw new Error(`it belongs to federation ${identity.federation}, not ${self.federation}`)
      server = identity
      return undefined
    } catch (error) {
      fatal = `the service provider's certificate is not acceptable: ${(error as Error).message}`
      return new Error(fatal)
    }
  }
  const client = new grpc.Client(
    p.endpoint,
    grpc.credentials.createFromSecureContext(clientSecureContext(p.tls), { checkServerIdentity }),
    {
      ...channelOptions(limits),
      // grpc-js sends the endpoint's host as the TLS server name (SNI), which TLS forbids for
      // an IP address (Node warns, DEP0123). The provider serves one certificate whatever the
      // name, and checkServerIdentity above checks it against the endpoint's host itself.
      ...(isIP(expectedHost) ? { 'grpc.ssl_target_name_override': SNI_FOR_IP_ENDPOINTS } : {}),
    },
  )

  let closing = false
  let failures = 0
  let stream: grpc.ClientDuplexStream<Buffer, Buffer> | undefined
  let retry: NodeJS.Timeout | undefined
  let settle: { resolve(): void; reject(error: unknown): void } = { resolve() {}, reject() {} }
  const closed = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject }
  })

  const finish = (error?: MsflError) => {
    closing = true
    clearTimeout(retry)
    stream?.cancel()
    client.close()
    if (error) settle.reject(error)
    else settle.resolve()
  }

  const attempt = () => {
    const call = client.makeBidiStreamRequest<Buffer, Buffer>(
      CONNECT_PATH,
      (data) => data,
      (data) => data,
    )
    stream = call
    let greeted = false
    const send = (envelope: Parameters<typeof sealEnvelope>[1]) => {
      if (stream === call) call.write(asBuffer(sealEnvelope(sender, envelope)))
    }
    const helloTimer = setTimeout(() => call.cancel(), limits.helloTimeoutMs)
    call.on('data', (data: Buffer) => {
      if (!server)
        return emit({ type: 'refused', peer: p.endpoint, reason: 'no verified server certificate' })
      const opened = openEnvelope(data, server, receiver)
      if ('refused' in opened)
        return emit({ type: 'refused', peer: server.name, reason: opened.refused })
      const { envelope, body } = opened
      if (!greeted) {
        if (envelope.kind !== 'hello')
          return emit({
            type: 'refused',
            peer: server.name,
            reason: `expected a hello first, got a ${envelope.kind}`,
          })
        greeted = true
        failures = 0
        clearTimeout(helloTimer)
        emit({ type: 'peer-connected', peer: server.name, role: server.role })
        return
      }
      if (envelope.kind !== 'request')
        return emit({
          type: 'refused',
          peer: server.name,
          reason: `the service provider sends requests only, got a ${envelope.kind}`,
        })
      void answer(envelope, body, send)
    })
    // Errors arrive again as the call's status, which every call ends with (a duplex
    // stream whose writable side is still open never emits 'close').
    call.on('error', () => {})
    call.on('status', (status: grpc.StatusObject) => {
      const failure =
        status.code === grpc.status.OK ? '' : `${grpc.status[status.code]}: ${status.details}`
      clearTimeout(helloTimer)
      if (stream === call) stream = undefined
      if (closing) return
      if (fatal) return finish(new MsflError('TRANSPORT', `${p.endpoint}: ${fatal}`))
      const reason = `${greeted ? 'the stream ended' : 'could not connect'}${failure ? ` (${failure})` : ''}`
      if (greeted) emit({ type: 'peer-disconnected', peer: server?.name ?? p.endpoint, reason })
      failures += 1
      if (failures > maxAttempts)
        return finish(
          new MsflError('TRANSPORT', `${p.endpoint}: ${reason} after ${maxAttempts} attempts`),
        )
      const ceiling = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.min(failures - 1, 30))
      // Jitter spreads many participants' reconnections after a server restart.
      const delayMs = Math.ceil(ceiling / 2) + randomInt(Math.ceil(ceiling / 2) + 1)
      emit({ type: 'reconnecting', peer: p.endpoint, delayMs, reason })
      retry = setTimeout(attempt, delayMs)
    })
    send({ kind: 'hello', round: 0, payload: encodeMessage({}) })
  }

  /** Runs the handler on one request and sends its reply, or the error it failed with. */
  const answer = async (
    request: Envelope,
    body: unknown,
    send: (envelope: Parameters<typeof sealEnvelope>[1]) => void,
  ) => {
    const fail = (code: string, message: string) =>
      send({
        kind: 'error',
        id: request.id,
        round: request.round,
        payload: encodeMessage({ code, message: message.slice(0, 2000) }),
      })
    const type = (body as { type?: unknown } | null)?.type
    const refusal = refuseRecipient(self.role, type)
    if (refusal) {
      emit({ type: 'refused', peer: request.sender, reason: refusal })
      return fail('PROTOCOL', refusal)
    }
    try {
      const payload = encodeMessage(await p.handler.handle(body))
      if (payload.length > limits.maxMessageBytes)
        return fail(
          'TRANSPORT',
          `reply of ${payload.length} bytes exceeds the limit of ${limits.maxMessageBytes}`,
        )
      send({ kind: 'reply', id: request.id, round: request.round, payload })
    } catch (error) {
      fail(
        error instanceof MsflError ? error.code : 'TRANSPORT',
        error instanceof Error ? error.message : String(error),
      )
    }
  }

  attempt()
  return { closed, close: () => finish() }
}

/** The host part of `host:port` or `[v6]:port`. */
/** The TLS server name sent when the endpoint is an IP address (SNI carries host names only). */
const SNI_FOR_IP_ENDPOINTS = 'msfl-service-provider'

function hostOf(endpoint: string): string {
  const bracketed = /^\[([^\]]+)\]:\d+$/.exec(endpoint)
  if (bracketed) return bracketed[1]!
  const at = endpoint.lastIndexOf(':')
  if (at <= 0)
    throw new MsflError(
      'CONFIG_INVALID',
      `endpoint: expected host:port, got ${JSON.stringify(endpoint)}`,
    )
  return endpoint.slice(0, at)
}
