import type { MessageHandler, Transport } from '../../core/ports/transport.ts'
import { ackSchema, parseSmpcMessage, type SmpcRequest } from '../../core/smpc/smpcMessages.ts'

/** A verifier node or the dealer: handles one message, naming what to push to others first. */
export interface SmpcParticipant {
  receive(message: unknown): {
    readonly reply: unknown
    readonly sends: readonly { readonly to: string; readonly message: SmpcRequest }[]
  }
}

/**
 * Wraps a pure SMPC participant as a MessageHandler: it delivers the participant's
 * outgoing messages over its own transport (nodes push shares straight to their peers,
 * the dealer pushes material straight to each node — the coordinator never relays
 * them) and replies only once every recipient acknowledged.
 */
export function createSmpcHandler(
  participant: SmpcParticipant,
  name: string,
  transport: () => Transport,
  /** How long a peer may take to acknowledge a push. */
  deadlineMs: number,
): MessageHandler {
  return {
    async handle(message) {
      const { reply, sends } = participant.receive(message)
      await Promise.all(
        sends.map(async ({ to, message: outgoing }) => {
          const answer = await transport().request(to, outgoing, { deadlineMs })
          parseSmpcMessage(ackSchema, answer, `${name} (reply from ${to})`)
        }),
      )
      return reply
    },
  }
}
