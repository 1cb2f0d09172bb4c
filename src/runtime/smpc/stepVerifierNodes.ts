import { MsflError } from '../../core/errors/msflError.ts'
import type { Transport } from '../../core/ports/transport.ts'
import type { NodeReport } from '../../core/smpc/majorityOutcome.ts'
import { parseSmpcMessage, progressSchema, resultSchema } from '../../core/smpc/smpcMessages.ts'

/**
 * Steps every node through the protocol: smpc-advance s to all nodes at once (each
 * pushes its share of opening s to its peers before replying), and the next step only
 * once all have replied, so no node is ever more than one opening ahead of another.
 * Ends when every node has reported its outcome; a node that reports early, late or
 * not at all fails the round (the protocol needs all k nodes).
 */
export async function stepVerifierNodes(
  coordinator: Transport,
  nodeIds: readonly string[],
  session: string,
  openings: number,
  /** How long a node may take for one step; a node that misses it fails the round. */
  deadlineMs: number,
): Promise<NodeReport[]> {
  for (let step = 0; step <= openings; step++) {
    const replies = await Promise.all(
      nodeIds.map((id) =>
        coordinator.request(id, { type: 'smpc-advance', session, step }, { deadlineMs }),
      ),
    )
    const last = step === openings
    const parsed = replies.map((reply, i) =>
      last
        ? parseSmpcMessage(resultSchema, reply, `coordinator (result of ${nodeIds[i]})`)
        : parseSmpcMessage(progressSchema, reply, `coordinator (step ${step} of ${nodeIds[i]})`),
    )
    parsed.forEach((reply, i) => {
      if (reply.session !== session || reply.node !== nodeIds[i])
        throw new MsflError(
          'PROTOCOL',
          `coordinator: ${nodeIds[i]} answered for another session or node`,
        )
    })
    if (last)
      return parsed.map((r) => {
        const result = r as ReturnType<typeof resultSchema.parse>
        return {
          node: result.node,
          correct: result.correct,
          inRange: result.inRange,
          accepted: result.accepted,
          aggregate: result.aggregate,
        }
      })
  }
  throw new MsflError('PROTOCOL', 'coordinator: the protocol did not end')
}
