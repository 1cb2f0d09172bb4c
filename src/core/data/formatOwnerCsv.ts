import type { OwnerRows } from './checkOwnerRows.ts'
import { formatCsvLine } from './csvLine.ts'

/**
 * An owner's rows as the CSV file it keeps: a header with the schema's column names and
 * the label's, then one line per record. Reading it back with the same schema gives the
 * same records (test/data/ownerData.test.ts).
 */
export function formatOwnerCsv(rows: OwnerRows): string {
  const header = [...rows.schema.columns.map((column) => column.name), rows.schema.label.name]
  const lines = [formatCsvLine(header)]
  for (const record of rows.records) lines.push(formatCsvLine(record.fields))
  return `${lines.join('\n')}\n`
}
