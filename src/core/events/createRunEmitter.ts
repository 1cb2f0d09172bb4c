import type { EventSink, RunEvent, RunEventBody, RunEventType } from './runEvent.ts'

/** Emits one event of a run: the emitter stamps the run id and the time. */
export type RunEmitter = <T extends RunEventType>(type: T, body: RunEventBody<T>) => void

/**
 * The one place events are put together: callers name the type and what it carries,
 * and the emitter adds the run id and the runtime clock's time, so no event is built
 * by hand with a stale id or a forgotten timestamp.
 */
export function createRunEmitter(p: {
  readonly runId: string
  readonly emit: EventSink
  readonly now: () => number
}): RunEmitter {
  return (type, body) => {
    // The compiler cannot see that spreading the body of type T back under T yields
    // the member of the union for T; RunEventBody<T> guarantees it.
    const event = { type, runId: p.runId, at: p.now(), ...body } as unknown as RunEvent
    p.emit(event)
  }
}

/**
 * Reports a run that failed (`run-failed` with the error's message) and returns the error,
 * so a driver's catch block is `throw reportRunFailure(event, error)`.
 */
export function reportRunFailure(event: RunEmitter, error: unknown): unknown {
  event('run-failed', { error: error instanceof Error ? error.message : String(error) })
  return error
}
