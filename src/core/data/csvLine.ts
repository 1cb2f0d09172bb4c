/**
 * One CSV line split into trimmed fields (RFC 4180 quoting within a line: a field may be
 * wrapped in double quotes, with `""` for a quote inside), or why it cannot be. A line
 * break inside a quoted field is not supported: a record is one line, so a row number
 * always names one line of the file.
 */
export type CsvLineFields =
  | { readonly ok: true; readonly fields: string[] }
  | { readonly ok: false; readonly problem: string }

/** Splits one line of an owner's CSV file (see CsvLineFields). */
export function splitCsvLine(line: string): CsvLineFields {
  const fields: string[] = []
  let at = 0
  for (;;) {
    while (line[at] === ' ' || line[at] === '\t') at++
    if (line[at] !== '"') {
      const comma = line.indexOf(',', at)
      const end = comma < 0 ? line.length : comma
      const field = line.slice(at, end).trim()
      if (field.includes('"'))
        return {
          ok: false,
          problem: `field ${fields.length + 1} has a quote inside an unquoted value`,
        }
      fields.push(field)
      if (comma < 0) return { ok: true, fields }
      at = comma + 1
      continue
    }
    let value = ''
    let from = at + 1
    for (;;) {
      const quote = line.indexOf('"', from)
      if (quote < 0)
        return { ok: false, problem: `field ${fields.length + 1} opens a quote it never closes` }
      value += line.slice(from, quote)
      if (line[quote + 1] === '"') {
        value += '"'
        from = quote + 2
        continue
      }
      at = quote + 1
      break
    }
    while (line[at] === ' ' || line[at] === '\t') at++
    fields.push(value.trim())
    if (at === line.length) return { ok: true, fields }
    if (line[at] !== ',')
      return { ok: false, problem: `field ${fields.length} has text after its closing quote` }
    at++
  }
}

/**
 * Joins fields into one CSV line, quoting only fields with a comma or a quote. Fields come
 * from trimmed one-line records, so none holds a line break or outer whitespace.
 */
export function formatCsvLine(fields: readonly string[]): string {
  return fields
    .map((field) => (/[",]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field))
    .join(',')
}
