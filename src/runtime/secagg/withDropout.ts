import { MsflError } from '../../core/errors/msflError.ts'
import type { MessageHandler } from '../../core/ports/transport.ts'
import type { SecaggStage } from '../../core/secagg/secaggMessages.ts'

/** The server message that opens each stage. */
const OPENS: Record<SecaggStage, string> = {
  'advertise-keys': 'secagg-setup',
  'share-keys': 'secagg-roster',
  'masked-input': 'secagg-masked-input-request',
  'consistency-check': 'secagg-consistency-request',
  unmasking: 'secagg-unmask-request',
}

export interface DropoutPlan {
  /** The first stage the client no longer takes part in ('masked-input': it drops after key sharing). */
  readonly from: SecaggStage
  /**
   * `silent`: the client never answers again (the server waits out the stage timeout);
   * `disconnect`: every request to it fails at once, as with a closed connection.
   */
  readonly mode: 'silent' | 'disconnect'
}

/**
 * Simulation: a client that takes part in the round until `plan.from`, then vanishes.
 * The client's state is left as it was, as for a device that lost power.
 */
export function withDropout(
  clientId: string,
  inner: MessageHandler,
  plan: DropoutPlan,
): MessageHandler {
  const stages = Object.keys(OPENS) as SecaggStage[]
  const gone = new Set(stages.slice(stages.indexOf(plan.from)).map((s) => OPENS[s]))
  let dropped = false
  return {
    handle(message: unknown): Promise<unknown> {
      const type = (message as { type?: unknown } | null)?.type
      if (typeof type === 'string' && gone.has(type)) dropped = true
      if (!dropped) return inner.handle(message)
      if (plan.mode === 'silent') return new Promise<unknown>(() => {})
      return Promise.reject(new MsflError('TRANSPORT', `${clientId} disconnected`))
    },
  }
}
