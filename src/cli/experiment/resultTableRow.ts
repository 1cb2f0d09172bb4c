import { CELL_RESULT_DETAIL_FIELDS, type CellResult } from '../../core/experiment/cellResult.ts'

/**
 * A result as one flat row for results.csv and `--json`: per-round series, confusion
 * matrices and ROC curves would make rows unreadable, and results.json keeps them.
 */
export function resultTableRow(result: CellResult): Record<string, unknown> {
  const row: Record<string, unknown> = { ...result }
  for (const field of CELL_RESULT_DETAIL_FIELDS) delete row[field]
  return row
}
