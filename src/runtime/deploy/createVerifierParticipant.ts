import type { RunEnded } from '../../core/deploy/deploymentMessages.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import type { MessageHandler } from '../../core/ports/transport.ts'
import { createVerifierNode } from '../../core/smpc/createVerifierNode.ts'
import type { RelayMessage } from '../../core/smpc/smpcMessages.ts'
import { acceptRunEnd } from './acceptRunEnd.ts'

/** A verifier process's handler, and the run's end as the provider announced it. */
export interface VerifierParticipant extends MessageHandler {
  /** Settles when the provider sends `run-ended`. */
  readonly ended: Promise<RunEnded>
}

/**
 * A verifier node of a deployed job (core/smpc/createVerifierNode.ts, the node a simulation
 * runs) behind one participant. It takes part only in its own run's sessions (the provider
 * names them `<run>-round-<r>`). It cannot reach its peers itself (only the provider
 * listens), so when the node has opening shares to push it answers `smpc-relay`: the pushes
 * and its reply, which the provider delivers and returns (runtime/smpc/relayVerifierPushes.ts).
 * A message the node rejects gets an error reply and leaves its session as it was.
 */
export function createVerifierParticipant(p: {
  readonly runId: string
  /** This node's id: the name in its certificate, `verifier-<i>`. */
  readonly nodeId: string
}): VerifierParticipant {
  const node = createVerifierNode(p.nodeId)
  const end = acceptRunEnd(p.runId, p.nodeId)
  const sessionPrefix = `${p.runId}-round-`
  return {
    ended: end.ended,
    async handle(message: unknown): Promise<unknown> {
      const type = (message as { type?: unknown } | null)?.type
      if (type === 'run-ended') return end.handle(message)
      if (typeof type !== 'string' || !type.startsWith('smpc-'))
        throw new MsflError('PROTOCOL', `a verifier does not answer ${JSON.stringify(type)}`)
      const session = (message as { session?: unknown }).session
      if (typeof session !== 'string' || !session.startsWith(sessionPrefix))
        throw new MsflError(
          'PROTOCOL',
          `${p.nodeId}: ${type} for session ${JSON.stringify(session)}, not a round of ${p.runId}`,
        )
      const { reply, sends } = node.receive(message)
      if (sends.length === 0) return reply
      const relay: RelayMessage = {
        type: 'smpc-relay',
        session,
        sends: sends.map(({ to, message: push }) => ({ to, message: push })),
        reply: reply as RelayMessage['reply'],
      }
      return relay
    },
  }
}
