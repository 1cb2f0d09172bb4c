/**
 * The runs adapter's public surface: the run folder on disk (events, metrics, keys).
 * Code outside this folder imports from here only (test/architecture.test.ts).
 * @module
 */

export type { RunDirectory } from './createRunDirectory.ts'
export { createRunDirectory } from './createRunDirectory.ts'
