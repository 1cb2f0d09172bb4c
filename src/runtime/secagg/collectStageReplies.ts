import type { ProtocolMessage, Transport } from '../../core/ports/transport.ts'
import type { StageReplies } from '../../core/secagg/secaggServerState.ts'
import { collectReplies, type StartTimer } from '../rounds/collectReplies.ts'

/**
 * One SecAgg stage's requests under the stage timeout: a client that has not answered
 * by then has dropped (absent from the result); a failed request is kept with its reason.
 */
export async function collectStageReplies(
  transport: Transport,
  requests: ReadonlyMap<string, ProtocolMessage>,
  timeoutMs: number,
  startTimer: StartTimer,
): Promise<StageReplies> {
  const outcomes = await collectReplies(transport, requests, { deadlineMs: timeoutMs, startTimer })
  const replies = new Map<string, { reply: unknown } | { failure: string }>()
  for (const outcome of outcomes) {
    if ('reply' in outcome) replies.set(outcome.clientId, { reply: outcome.reply })
    else if ('failure' in outcome) replies.set(outcome.clientId, { failure: outcome.failure })
  }
  return replies
}
