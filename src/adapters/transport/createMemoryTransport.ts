import { MsflError } from '../../core/errors/msflError.ts'
import type { MessageHandler, Transport, TransportStats } from '../../core/ports/transport.ts'
import { decodeMessage } from '../../core/wire/decodeMessage.ts'
import { encodeMessage } from '../../core/wire/encodeMessage.ts'

/** The participants an in-memory transport connects, by node id, and its message size limit. */
export interface MemoryTransportParameters {
  readonly handlers: ReadonlyMap<string, MessageHandler>
  /** Upper bound for one message, as on the network (default 256 MiB). */
  readonly maxMessageBytes?: number
}

/**
 * The in-process transport for simulation. Every request and reply is encoded to
 * bytes and decoded again, exactly as on the network, so a payload that could not
 * travel fails here first and the byte counts are the real wire sizes.
 */
export function createMemoryTransport(parameters: MemoryTransportParameters): Transport {
  const maxBytes = parameters.maxMessageBytes ?? 256 * 1024 * 1024
  let requests = 0
  let bytesSent = 0
  let bytesReceived = 0
  return {
    async request(to: string, message: unknown): Promise<unknown> {
      const handler = parameters.handlers.get(to)
      if (!handler) throw new MsflError('TRANSPORT', `no participant named ${JSON.stringify(to)}`)
      const outgoing = encodeMessage(message)
      requests += 1
      bytesSent += outgoing.length
      const reply = await handler.handle(decodeMessage(outgoing, { maxBytes }))
      const incoming = encodeMessage(reply)
      bytesReceived += incoming.length
      return decodeMessage(incoming, { maxBytes })
    },
    stats(): TransportStats {
      return { requests, bytesSent, bytesReceived }
    },
  }
}
