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
import { settleWithin } from './settleWithin.ts'

export interface MemoryTransportParameters {
  readonly handlers: ReadonlyMap<string, MessageHandler>
  /** Upper bound for one message, as on the network (default 256 MiB). */
  readonly maxMessageBytes?: number
}

/**
 * The in-process transport for simulation. Every request and reply is encoded to
 * bytes and decoded again, exactly as on the network, so a payload that could not
 * travel fails here first and the byte counts are the real wire sizes. Deadlines and
 * aborts behave as on the network: the caller stops waiting, the handler's late
 * reply is dropped.
 */
export function createMemoryTransport(parameters: MemoryTransportParameters): Transport {
  const maxBytes = parameters.maxMessageBytes ?? 256 * 1024 * 1024
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
      return decodeMessage(incoming, { maxBytes })
    },
    stats(): TransportStats {
      return { requests, bytesSent, bytesReceived }
    },
  }
}
