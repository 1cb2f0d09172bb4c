/**
 * The report adapter's public surface: HTML and CSV reports of runs and experiments.
 * Code outside this folder imports from here only (test/architecture.test.ts).
 * @module
 */

export type { RunEventDigest } from './createRunEventDigest.ts'
export { createRunEventDigest } from './createRunEventDigest.ts'
export type { ReportRow } from './experimentReportRows.ts'
export { labelRows, meanOverSeeds } from './experimentReportRows.ts'
export { renderExperimentReport } from './renderExperimentReport.ts'
export { renderRunReport } from './renderRunReport.ts'
export type { RunReportLedger } from './runLedgerSection.ts'
export { toCsv } from './toCsv.ts'
