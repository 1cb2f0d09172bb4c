import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createConsoleProgress, createJsonlEventLog } from '../adapters/events/index.ts'
import { createEventBus, type EventBus } from '../runtime/createEventBus.ts'

/**
 * The event sinks of a run: the JSON-lines log in its directory and, unless quiet,
 * the console progress (on stderr when stdout carries --json output).
 */
export function startRunEvents(
  workingPath: string,
  options: { readonly json: boolean; readonly quiet: boolean },
): { bus: EventBus; now: () => number } {
  const write = (text: string) => (options.json ? process.stderr : process.stdout).write(text)
  let sinkFailed = false
  const bus = createEventBus((error) => {
    if (!sinkFailed)
      process.stderr.write(`warning: an event sink failed: ${(error as Error).message}\n`)
    sinkFailed = true
  })
  bus.subscribe(createJsonlEventLog(join(workingPath, 'events.jsonl')))
  if (!options.quiet)
    bus.subscribe(
      createConsoleProgress({ write, live: !options.json && process.stdout.isTTY === true }),
    )

  return { bus, now: () => performance.timeOrigin + performance.now() }
}
