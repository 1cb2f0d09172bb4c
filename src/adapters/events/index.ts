/**
 * The events adapter's public surface: event sinks: the console progress display and the JSON-lines log.
 * Code outside this folder imports from here only (test/architecture.test.ts).
 * @module
 */

export { createConsoleProgress } from './createConsoleProgress.ts'
export { createJsonlEventLog } from './createJsonlEventLog.ts'
