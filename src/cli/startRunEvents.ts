import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createConsoleProgress, createJsonlEventLog } from '../adapters/events/index.ts'
import { createRunEventDigest, type RunEventDigest } from '../adapters/report/index.ts'
import { createEventBus, type EventBus } from '../runtime/createEventBus.ts'

/**
 * The event sinks of a run: the JSON-lines log in its directory, what the run's
 * report needs from the stream, and, unless quiet, the console progress (on stderr
 * when stdout carries --json output).
 */
export function startRunEvents(
  workingPath: string,
  options: { readonly json: boolean; readonly quiet: boolean },
): { bus: EventBus; now: () => number; reportEvents: () => RunEventDigest } {
  const write = (text: string) => (options.json ? process.stderr : process.stdout).write(text)
  let sinkFailed = false
  const bus = createEventBus((error) => {
    if (!sinkFailed)
      process.stderr.write(`warning: an event sink failed: ${(error as Error).message}\n`)
    sinkFailed = true
  })
  bus.subscribe(createJsonlEventLog(join(workingPath, 'events.jsonl')))
  const report = createRunEventDigest()
  bus.subscribe(report.sink)
  if (!options.quiet)
    bus.subscribe(
      createConsoleProgress({ write, live: !options.json && process.stdout.isTTY === true }),
    )

  return {
    bus,
    now: () => performance.timeOrigin + performance.now(),
    reportEvents: report.digest,
  }
}
