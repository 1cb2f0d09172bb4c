import { MsflError } from '../../core/errors/msflError.ts'
import type {
  MessageHandler,
  ProtocolMessage,
  RequestOptions,
  Transport,
  TransportStats,
} from '../../core/ports/transport.ts'
import { decodeMessage } from '../../core/wire/decodeMessage.ts'
import { encodeMessage } from '../../core/wire/encodeMessage.ts'
import { DEFAULT_MAX_MESSAGE_BYTES } from '../../core/wire/wireFormat.ts'
import { settleWithin } from './settleWithin.ts'

/** The participants an in-memory transport connects, by node id, and its message size limit. */
export interface MemoryTransportParameters {
  readonly handlers: ReadonlyMap<string, MessageHandler>
  /** Upper bound for one message, as on the network (default 256 MiB). */
  readonly maxMessageBytes?: number
  /**
   * The largest reply accepted from a peer, one number for all or one per peer (default
   * maxMessageBytes). A larger reply is refused before a byte of it is decoded.
   */
  readonly maxReplyBytes?: number | ((peer: string) => number)
  /**
   * Bytes accepted from one peer over the transport's life (default: no limit). Once a
   * peer has sent this much, its further replies are refused unread.
   */
  readonly maxBytesPerPeer?: number
}

/**
 * The in-process transport for simulation. Every request and reply is encoded to
 * bytes and decoded again, exactly as on the network, so a payload that could not
 * travel fails here first and the byte counts are the real wire sizes. What a peer
 * sends back is bounded per peer, as a network server bounds each connection: size
 * checks first, then the decoder, whose time is linear and whose memory is a small
 * multiple of the bytes (core/wire/decodeMessage.ts).
 * Deadlines and aborts behave as on the network: the caller stops waiting, the
 * handler's late reply is dropped.
 */
export function createMemoryTransport(parameters: MemoryTransportParameters): Transport {
  const maxBytes = parameters.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES
  const replyLimit = parameters.maxReplyBytes ?? maxBytes
  const maxReplyBytes = (peer: string) =>
    Math.min(maxBytes, typeof replyLimit === 'number' ? replyLimit : replyLimit(peer))
  const fromPeer = new Map<string, number>()
  let requests = 0
  let bytesSent = 0
  let bytesReceived = 0
  const exchange = async (handler: MessageHandler, outgoing: Uint8Array): Promise<Uint8Array> =>
    encodeMessage(await handler.handle(decodeMessage(outgoing, { maxBytes })))
  return {
    async request(to: string, message: ProtocolMessage, options: RequestOptions): Promise<unknown> {
      const handler = parameters.handlers.get(to)
      if (!handler) throw new MsflError('TRANSPORT', `no participant named ${JSON.stringify(to)}`)
      const outgoing = encodeMessage(message)
      requests += 1
      bytesSent += outgoing.length
      const incoming = await settleWithin(exchange(handler, outgoing), options, to)
      bytesReceived += incoming.length
      const limit = maxReplyBytes(to)
      if (incoming.length > limit)
        throw new MsflError(
          'TRANSPORT',
          `reply of ${JSON.stringify(to)}: ${incoming.length} bytes exceed the limit of ${limit} per reply`,
        )
      const total = (fromPeer.get(to) ?? 0) + incoming.length
      fromPeer.set(to, total)
      const budget = parameters.maxBytesPerPeer
      if (budget !== undefined && total > budget)
        throw new MsflError(
          'TRANSPORT',
          `reply of ${JSON.stringify(to)}: the peer has sent ${total} bytes, over its budget of ${budget}`,
        )
      return decodeMessage(incoming, { maxBytes: limit })
    },
    stats(): TransportStats {
      return { requests, bytesSent, bytesReceived }
    },
  }
}
