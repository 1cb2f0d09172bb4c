import type { EventSink, RunEvent } from '../../core/events/runEvent.ts'
import type { RunStore } from '../../core/ports/runStore.ts'

/** An event sink that appends to a store, and a way to wait until every event is written. */
export interface StoreEventSink {
  readonly sink: EventSink
  /** Resolves once every event emitted so far is stored (or its failure was reported). */
  flush(): Promise<void>
}

/**
 * Writes the run's events to the store as rows, one after another in the order they were
 * emitted. An event sink must not throw back into the protocol, so a failed write is handed to
 * `onError` and the following events are still written.
 */
export function createStoreEventSink(
  store: RunStore,
  onError: (error: unknown, event: RunEvent) => void,
): StoreEventSink {
  let tail: Promise<void> = Promise.resolve()
  return {
    sink: (event) => {
      tail = tail.then(
        () => store.appendEvent(event).then(() => undefined),
        () => undefined,
      )
      tail = tail.catch((error: unknown) => onError(error, event))
    },
    flush: () => tail,
  }
}
