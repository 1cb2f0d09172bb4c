import { setMaxListeners } from 'node:events'
import { MsflError } from '../../core/errors/msflError.ts'
import type { ProtocolMessage, Transport } from '../../core/ports/transport.ts'

/** A started timer: `expired` resolves when it fires; `cancel` stops it. */
export interface StageTimer {
  readonly expired: Promise<void>
  /** Stops the timer; `expired` then never resolves. */
  cancel(): void
}

/** Starts a timer of `ms` milliseconds. */
export type StartTimer = (ms: number) => StageTimer

/** The default timer, on setTimeout. */
export const startTimeout: StartTimer = (ms) => {
  let handle: ReturnType<typeof setTimeout> | undefined
  const expired = new Promise<void>((resolve) => {
    handle = setTimeout(resolve, ms)
  })
  return { expired, cancel: () => clearTimeout(handle) }
}

/** How one participant's request ended. */
export type ReplyOutcome =
  | { readonly clientId: string; readonly reply: unknown }
  /** The request failed before the deadline (unreachable, refused, crashed). */
  | { readonly clientId: string; readonly failure: string }
  /** No answer by the deadline: the participant is a straggler this time. */
  | { readonly clientId: string; readonly straggler: true }

/** The deadline of one batch of requests, and the timer that measures it. */
export interface CollectOptions {
  /** The longest wait for the whole batch, in ms; every request carries it as its deadline. */
  readonly deadlineMs: number
  /** Starts the batch timer (default: setTimeout); injected so tests control time. */
  readonly startTimer?: StartTimer
}

/**
 * Sends every request of one step at once and waits until all have ended or the
 * deadline passes, whichever comes first; then abandons whatever is still pending.
 * Outcomes come back in the order of `requests`, so what is aggregated from them does
 * not depend on which peer answered first. A reply that arrives later is dropped.
 */
export async function collectReplies(
  transport: Transport,
  requests: ReadonlyMap<string, ProtocolMessage>,
  options: CollectOptions,
): Promise<readonly ReplyOutcome[]> {
  const { deadlineMs } = options
  if (!(deadlineMs > 0) || !Number.isFinite(deadlineMs))
    throw new MsflError('CONFIG_INVALID', `deadline must be a positive number, got ${deadlineMs}`)
  const ended = new Map<string, ReplyOutcome>()
  const abandon = new AbortController()
  // Every request of the batch listens on this one signal: a round may ask thousands.
  setMaxListeners(requests.size + 1, abandon.signal)
  let open = true
  const timer = (options.startTimer ?? startTimeout)(deadlineMs)
  const all = Promise.all(
    [...requests].map(([clientId, message]) =>
      transport.request(clientId, message, { deadlineMs, signal: abandon.signal }).then(
        (reply) => {
          if (open) ended.set(clientId, { clientId, reply })
        },
        (error: unknown) => {
          // A request that hit its deadline is a straggler, not a failure.
          if (open && !(error instanceof MsflError && error.code === 'DEADLINE'))
            ended.set(clientId, { clientId, failure: `unreachable: ${errorText(error)}` })
        },
      ),
    ),
  )
  try {
    await Promise.race([all, timer.expired])
  } finally {
    open = false
    timer.cancel()
    abandon.abort()
  }
  return [...requests.keys()].map(
    (clientId) => ended.get(clientId) ?? { clientId, straggler: true as const },
  )
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
