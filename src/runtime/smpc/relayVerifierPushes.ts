import { MsflError } from '../../core/errors/msflError.ts'
import type { ProtocolMessage, RequestOptions, Transport } from '../../core/ports/transport.ts'
import { ackSchema, parseSmpcMessage, relaySchema } from '../../core/smpc/smpcMessages.ts'

/**
 * A transport on which verifier nodes that cannot reach each other still push their
 * opening shares to their peers: when a node answers with `smpc-relay`, this delivers each
 * of its `smpc-open` pushes (through this same transport, so a recipient may relay in turn)
 * and returns the node's actual reply once every peer acknowledged. That is what a node
 * behind a firewall needs in a deployment, where only the service provider listens.
 *
 * The relay is the service provider, and it learns exactly what the openings open, which
 * every node learns anyway. It forwards only what a node may send: `smpc-open` of the
 * request's session, to another verifier of `nodes`, with `from` naming the node that
 * answered (a node cannot push as another, nor make the provider send anything else).
 * Anything else fails the request with MsflError('PROTOCOL') and nothing is delivered.
 */
export function relayVerifierPushes(inner: Transport, nodes: readonly string[]): Transport {
  const verifiers = new Set(nodes)
  const relaying: Transport = {
    async request(to: string, message: ProtocolMessage, options: RequestOptions) {
      const reply = await inner.request(to, message, options)
      if ((reply as { type?: unknown } | null)?.type !== 'smpc-relay') return reply
      if (!verifiers.has(to))
        throw new MsflError('PROTOCOL', `relay: ${to} is not a verifier node and cannot relay`)
      const relay = parseSmpcMessage(relaySchema, reply, `relay (reply of ${to})`)
      const session = (message as { session?: unknown }).session
      for (const send of relay.sends) {
        const refusal =
          relay.session !== session || send.message.session !== session
            ? 'a push for another session'
            : send.message.from !== to
              ? `a push claiming to come from ${JSON.stringify(send.message.from)}`
              : send.to === to || !verifiers.has(send.to)
                ? `a push to ${JSON.stringify(send.to)}, who is not one of its peers`
                : undefined
        if (refusal) throw new MsflError('PROTOCOL', `relay: ${to} asked to relay ${refusal}`)
      }
      await Promise.all(
        relay.sends.map(async (send) => {
          const ack = await relaying.request(send.to, send.message, options)
          parseSmpcMessage(ackSchema, ack, `relay (reply of ${send.to})`)
        }),
      )
      return relay.reply
    },
    stats: () => inner.stats(),
  }
  return relaying
}
