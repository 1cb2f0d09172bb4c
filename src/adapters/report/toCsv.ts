/** RFC 4180 CSV from uniform rows; arrays become space-separated values in one cell. */
export function toCsv(rows: readonly Readonly<Record<string, unknown>>[]): string {
  if (rows.length === 0) return ''
  const columns = Object.keys(rows[0]!)
  const cell = (value: unknown): string => {
    const text =
      value === null || value === undefined
        ? ''
        : Array.isArray(value)
          ? value.join(' ')
          : String(value)
    return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
  }
  return `${[columns.join(','), ...rows.map((row) => columns.map((c) => cell(row[c])).join(','))].join('\n')}\n`
}
