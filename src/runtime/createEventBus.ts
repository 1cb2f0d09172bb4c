import type { EventSink, RunEvent } from '../core/events/runEvent.ts'

export interface EventBus {
  readonly emit: EventSink
  subscribe(sink: EventSink): () => void
}

/**
 * Fans events out to every subscriber. A failing subscriber (a full disk under the
 * log, say) is reported once through `onSinkError` and never stops the run.
 */
export function createEventBus(
  onSinkError: (error: unknown, event: RunEvent) => void = () => {},
): EventBus {
  const sinks = new Set<EventSink>()
  return {
    emit(event) {
      for (const sink of sinks) {
        try {
          sink(event)
        } catch (error) {
          onSinkError(error, event)
        }
      }
    },
    subscribe(sink) {
      sinks.add(sink)
      return () => sinks.delete(sink)
    },
  }
}
