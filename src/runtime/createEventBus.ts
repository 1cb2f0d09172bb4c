import type { EventSink, RunEvent } from '../core/events/runEvent.ts'

/** Fans run events out to subscribers. */
export interface EventBus {
  readonly emit: EventSink
  /** Adds a subscriber; returns the function that removes it. */
  subscribe(sink: EventSink): () => void
}

/**
 * Fans events out to every subscriber. A failing subscriber (a full disk under the
 * log, say) is reported once through `onSinkError` and never stops the run.
 *
 * Example: reading the event stream of a run with two subscribers
 * (`examples/library/readEventStream.ts`, compiled and run by the package test):
 *
 * {@includeCode ../../examples/library/readEventStream.ts}
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
