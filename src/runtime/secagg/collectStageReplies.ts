import type { Transport } from '../../core/ports/transport.ts'
import type { StageReplies } from '../../core/secagg/secaggServerState.ts'

/** A started timer: `expired` resolves when it fires; `cancel` stops it. */
export interface StageTimer {
  readonly expired: Promise<void>
  cancel(): void
}

export type StartTimer = (ms: number) => StageTimer

/** The default timer, on setTimeout. */
export const startTimeout: StartTimer = (ms) => {
  let handle: ReturnType<typeof setTimeout> | undefined
  const expired = new Promise<void>((resolve) => {
    handle = setTimeout(resolve, ms)
  })
  return { expired, cancel: () => clearTimeout(handle) }
}

/**
 * Sends every request of one stage at once and waits until all replies are in or the
 * stage's timer fires, whichever comes first. A reply that arrives later is ignored: the
 * stage is closed and that client has dropped. A failed request is kept with its reason.
 */
export async function collectStageReplies(
  transport: Transport,
  requests: ReadonlyMap<string, unknown>,
  timeoutMs: number,
  startTimer: StartTimer,
): Promise<StageReplies> {
  const replies = new Map<string, { reply: unknown } | { failure: string }>()
  let open = true
  const timer = startTimer(timeoutMs)
  const all = Promise.all(
    [...requests].map(([clientId, message]) =>
      transport.request(clientId, message).then(
        (reply) => {
          if (open) replies.set(clientId, { reply })
        },
        (error: unknown) => {
          if (open)
            replies.set(clientId, {
              failure: `unreachable: ${error instanceof Error ? error.message : String(error)}`,
            })
        },
      ),
    ),
  )
  try {
    await Promise.race([all, timer.expired])
  } finally {
    open = false
    timer.cancel()
  }
  return replies
}
