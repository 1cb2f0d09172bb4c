import type { MessageHandler, Transport } from '../../core/ports/transport.ts'
import { encodeMessage } from '../../core/wire/encodeMessage.ts'

/**
 * One SMPC participant's transport in a deployment: requests to a participant of this
 * process (the dealer) go through `local` (the in-memory transport over `handlers`, so
 * they still round-trip the wire codec), every other request through `remote` (the
 * verifier processes, reached over the network). Its stats count this participant's
 * own traffic only, in codec bytes like every transport, not the shared remote link's.
 */
export function routeToRemoteNodes(
  handlers: ReadonlyMap<string, MessageHandler>,
  local: Transport,
  remote: Transport,
): Transport {
  let requests = 0
  let bytesSent = 0
  let bytesReceived = 0
  return {
    async request(to, message, options) {
      if (handlers.has(to)) return local.request(to, message, options)
      requests += 1
      bytesSent += encodeMessage(message).length
      const reply = await remote.request(to, message, options)
      bytesReceived += encodeMessage(reply).length
      return reply
    },
    stats() {
      const own = local.stats()
      return {
        requests: own.requests + requests,
        bytesSent: own.bytesSent + bytesSent,
        bytesReceived: own.bytesReceived + bytesReceived,
      }
    },
  }
}
