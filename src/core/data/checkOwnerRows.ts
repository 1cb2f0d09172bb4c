import { MsflError } from '../errors/msflError.ts'
import { splitCsvLine } from './csvLine.ts'
import { labelClassIndex, type SchemaColumn, type TabularSchema } from './tabularSchema.ts'
import type { TextRecord } from './textRecords.ts'

/**
 * One data owner's rows, checked against the job's schema and not yet encoded: each record
 * holds one field per declared column in schema order, then the raw label. This is the
 * form the built-in datasets' parsers give the in-process encoder, so an owner's rows are
 * encoded by the same code (encodeOwnerRows) as the simulation's.
 */
export interface OwnerRows {
  /** Where the rows came from (a file path or a built-in dataset part), for messages. */
  readonly source: string
  readonly schema: TabularSchema
  readonly records: readonly TextRecord[]
}

/**
 * A line-at-a-time check of an owner's CSV text: the first non-blank line is the header,
 * every later non-blank line one data row. Feed it lines in order, then call `finish`.
 * It throws MsflError('DATA_FORMAT') at the first problem, naming the source, the 1-based
 * data row (and its file line), the column and the problem, so a caller that lets the
 * error through returns nothing.
 */
export interface OwnerRowsCheck {
  /** Checks the next physical line of the file (without its line break). */
  line(text: string): void
  /** The checked rows, or an error if there was no header or too few rows. */
  finish(): OwnerRows
}

interface Header {
  /** Fields every row must have. */
  readonly width: number
  readonly placements: readonly Placement[]
  /** Field index of the label. */
  readonly label: number
}

interface Placement {
  /** Field index in the file. */
  readonly at: number
  readonly column: SchemaColumn
}

/** Longest value quoted in full in an error message; longer ones are cut (logs stay short). */
const QUOTED_CHARS = 60

/** A field value for an error message, cut to QUOTED_CHARS. */
function quote(value: string): string {
  return `'${value.length > QUOTED_CHARS ? `${value.slice(0, QUOTED_CHARS)}…` : value}'`
}

/** Starts checking one owner's CSV text against `schema` (see OwnerRowsCheck). */
export function createOwnerRowsCheck(schema: TabularSchema, source: string): OwnerRowsCheck {
  const classes = labelClassIndex(schema.label)
  const listed = new Map(
    schema.columns.map((column) => [
      column.name,
      column.kind === 'categorical' ? new Set(column.categories) : undefined,
    ]),
  )
  const records: TextRecord[] = []
  let lineNumber = 0
  let header: Header | undefined
  const fail = (message: string) => new MsflError('DATA_FORMAT', `${source}: ${message}`)
  const rowFail = (column: string | undefined, problem: string) => {
    const where = `row ${records.length + 1} (line ${lineNumber})`
    return fail(
      column === undefined ? `${where}: ${problem}` : `${where}, column '${column}': ${problem}`,
    )
  }

  const readHeader = (text: string): Header => {
    const split = splitCsvLine(text)
    if (!split.ok) throw fail(`header (line ${lineNumber}): ${split.problem}`)
    const position = new Map<string, number>()
    split.fields.forEach((name, at) => {
      if (name === '') throw fail(`header (line ${lineNumber}): column ${at + 1} has no name`)
      if (position.has(name))
        throw fail(`header (line ${lineNumber}): column '${name}' appears twice`)
      position.set(name, at)
    })
    const find = (name: string, what: string) => {
      const at = position.get(name)
      if (at === undefined) throw fail(`header (line ${lineNumber}): missing ${what} '${name}'`)
      return at
    }
    const placements = schema.columns.map((column) => ({ at: find(column.name, 'column'), column }))
    const label = find(schema.label.name, 'label column')
    if (schema.extraColumns !== 'ignore') {
      const known = new Set([...schema.columns.map((c) => c.name), schema.label.name])
      const extra = split.fields.filter((name) => !known.has(name))
      if (extra.length > 0)
        throw fail(
          `header (line ${lineNumber}): column '${extra[0]}' is not in the job's schema ` +
            `(${extra.length} undeclared column${extra.length === 1 ? '' : 's'}; the schema refuses extra columns)`,
        )
    }
    return { width: split.fields.length, placements, label }
  }

  const checkValue = (column: SchemaColumn, value: string) => {
    if (value === '') throw rowFail(column.name, 'empty value')
    if (column.kind === 'numeric') {
      const number = Number(value)
      if (!Number.isFinite(number)) throw rowFail(column.name, `not a number (${quote(value)})`)
      // log1p is only defined above -1; the declared scale is of non-negative counts.
      if (column.log1p && number < 0)
        throw rowFail(column.name, `negative (${quote(value)}) but the schema log-scales it`)
    } else if (column.unseen === 'refuse' && !listed.get(column.name)!.has(value)) {
      throw rowFail(column.name, `${quote(value)} is not one of the declared categories`)
    }
  }

  const readRow = (text: string, header: Header) => {
    const split = splitCsvLine(text)
    if (!split.ok) throw rowFail(undefined, split.problem)
    const { fields } = split
    if (fields.length !== header.width)
      throw rowFail(undefined, `has ${fields.length} fields, the header has ${header.width}`)
    const out: string[] = []
    for (const { at, column } of header.placements) {
      checkValue(column, fields[at]!)
      out.push(fields[at]!)
    }
    const label = fields[header.label]!
    if (label === '') throw rowFail(schema.label.name, 'empty label')
    if (!classes.has(label))
      throw rowFail(
        schema.label.name,
        `unknown label class ${quote(label)} (the job's classes: ${schema.label.classes.join(', ')})`,
      )
    out.push(label)
    records.push({ line: lineNumber, fields: out })
  }

  return {
    line(text) {
      lineNumber++
      // A byte-order mark some spreadsheets write would otherwise stick to the first name.
      const clean = lineNumber === 1 && text.startsWith('\uFEFF') ? text.slice(1) : text
      if (clean.trim() === '') return
      if (header) readRow(clean, header)
      else header = readHeader(clean)
    },
    finish() {
      if (!header) throw fail('no header line (the file is empty)')
      const minRows = schema.minRows ?? 1
      if (records.length < minRows)
        throw fail(
          `too few rows: ${records.length} data row${records.length === 1 ? '' : 's'}, the job needs at least ${minRows}`,
        )
      return { source, schema, records }
    },
  }
}
