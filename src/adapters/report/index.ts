/**
 * The report adapter's public surface: HTML and CSV reports of runs and experiments.
 * Code outside this folder imports from here only (test/architecture.test.ts).
 * @module
 */
export { renderExperimentReport } from './renderExperimentReport.ts'
export { renderRunReport } from './renderRunReport.ts'
export { toCsv } from './toCsv.ts'
