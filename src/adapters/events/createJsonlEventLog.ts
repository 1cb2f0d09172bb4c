import { appendFileSync } from 'node:fs'
import type { EventSink } from '../../core/events/runEvent.ts'

/** Appends each event as one JSON line; the file is the run's permanent record. */
export function createJsonlEventLog(path: string): EventSink {
  return (event) => {
    appendFileSync(path, `${JSON.stringify(event)}\n`)
  }
}
