import type * as grpc from '@grpc/grpc-js'
import { MsflError, type MsflErrorCode } from '../../core/errors/msflError.ts'
import type { ProtocolMessage } from '../../core/ports/transport.ts'
import { errorBodySchema } from './envelope.ts'
import { refuseReply } from './messageRoles.ts'
import { type EnvelopeReceiver, openEnvelope } from './openEnvelope.ts'
import type { PeerIdentity } from './peerIdentity.ts'
import {
  asBuffer,
  type EnvelopeSender,
  newEnvelopeId,
  roundOf,
  sealEnvelope,
} from './sealEnvelope.ts'

/** The service provider's end of one participant's stream. */
export interface PeerSession {
  readonly identity: PeerIdentity
  /** Sends one request; resolves with the decoded reply body and its codec size. */
  request(message: ProtocolMessage, payload: Uint8Array): PendingRequest
  /** Handles one envelope from the participant (after its hello). */
  receive(data: Uint8Array): void
  /** Rejects every pending request with `reason` and ends the stream. */
  end(reason: string): void
}

/** A request in flight: its reply, and how to forget it when the caller gives up. */
export interface PendingRequest {
  readonly reply: Promise<{ readonly body: unknown; readonly bytes: number }>
  forget(): void
}

interface Pending {
  readonly type: string
  readonly round: number
  resolve(reply: { body: unknown; bytes: number }): void
  reject(error: unknown): void
}

const ERROR_CODES: readonly MsflErrorCode[] = [
  'CONFIG_INVALID',
  'DATA_INTEGRITY',
  'DATA_MISSING',
  'DATA_FORMAT',
  'MODEL_INVALID',
  'CODEC',
  'PROTOCOL',
  'TRANSPORT',
  'DEADLINE',
]

/**
 * One authenticated participant's stream, after its hello: requests go down with fresh
 * ids, and each reply is matched to the request with its id. A reply that fails a check
 * (envelope, signature, freshness, round) is refused and logged, and the request stays
 * pending, so a forged or stray envelope changes nothing; a reply to a request no longer
 * pending (late, after its deadline) is dropped the same way. A reply that passes those
 * checks but is of a type that does not answer the request is the peer's own signed
 * answer: it is refused and logged, and the request fails with MsflError('PROTOCOL') at
 * once instead of waiting for its deadline.
 */
export function createPeerSession(
  call: grpc.ServerDuplexStream<Buffer, Buffer>,
  identity: PeerIdentity,
  sender: EnvelopeSender,
  receiver: EnvelopeReceiver,
  refuse: (reason: string) => void,
): PeerSession {
  const pending = new Map<string, Pending>()
  let ended = false
  return {
    identity,
    request(message, payload) {
      const id = newEnvelopeId()
      const round = roundOf(message)
      const reply = new Promise<{ body: unknown; bytes: number }>((resolve, reject) => {
        if (ended) {
          reject(new MsflError('TRANSPORT', `${identity.name}: the connection is closed`))
          return
        }
        pending.set(id, { type: message.type, round, resolve, reject })
        call.write(asBuffer(sealEnvelope(sender, { kind: 'request', id, round, payload })))
      })
      return { reply, forget: () => pending.delete(id) }
    },
    receive(data) {
      const opened = openEnvelope(data, identity, receiver)
      if ('refused' in opened) return refuse(opened.refused)
      const { envelope, body } = opened
      if (envelope.kind !== 'reply' && envelope.kind !== 'error')
        return refuse(`a participant sends replies only, got a ${envelope.kind}`)
      const request = pending.get(envelope.id)
      if (!request)
        return refuse(
          `${envelope.kind} ${envelope.id} answers no pending request (late or unknown)`,
        )
      if (envelope.round !== request.round)
        return refuse(
          `${envelope.kind} ${envelope.id}: round ${envelope.round}, the request was round ${request.round}`,
        )
      if (envelope.kind === 'error') {
        const parsed = errorBodySchema.safeParse(body)
        if (!parsed.success) return refuse(`error ${envelope.id}: malformed error body`)
        pending.delete(envelope.id)
        const code = ERROR_CODES.find((c) => c === parsed.data.code) ?? 'TRANSPORT'
        request.reject(new MsflError(code, `${identity.name}: ${parsed.data.message}`))
        return
      }
      const wrongType = refuseReply(request.type, (body as { type?: unknown } | null)?.type)
      if (wrongType) {
        // The peer signed this answer: its request fails now, not at its deadline.
        pending.delete(envelope.id)
        request.reject(new MsflError('PROTOCOL', `${identity.name}: ${wrongType}`))
        return refuse(`reply ${envelope.id}: ${wrongType}`)
      }
      pending.delete(envelope.id)
      request.resolve({ body, bytes: envelope.payload.length })
    },
    end(reason) {
      if (ended) return
      ended = true
      for (const request of pending.values())
        request.reject(new MsflError('TRANSPORT', `${identity.name}: ${reason}`))
      pending.clear()
      call.end()
    },
  }
}
