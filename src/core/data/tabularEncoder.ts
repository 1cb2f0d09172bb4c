import { MsflError } from '../errors/msflError.ts'
import { type ColumnStats, columnStats, standardizeValue } from './standardize.ts'
import { parseNumberField, type TextRecord } from './textRecords.ts'

/** How one input field becomes features. Field i of a record is described by column i. */
export type ColumnSpec =
  | { readonly name: string; readonly kind: 'categorical' }
  | { readonly name: string; readonly kind: 'numeric'; readonly log1p?: boolean }

/** A fitted encoder: vocabularies and numeric statistics learned from training rows. */
export interface TabularEncoder {
  readonly featureNames: readonly string[]
  readonly d: number
  /** Encodes rows (train or test) into an n × d row-major matrix. */
  encode(records: readonly TextRecord[], source: string): Float32Array
}

interface Layout {
  readonly column: ColumnSpec
  readonly field: number
  /** First feature index of this column. */
  readonly offset: number
  /** Index into the numeric statistics (numeric columns only). */
  readonly numeric: number
  /** Value → position within the one-hot group (categorical columns only). */
  readonly vocabulary: ReadonlyMap<string, number>
}

/**
 * Learns the encoding from training rows only: one-hot vocabularies (sorted, so the
 * layout does not depend on row order) and mean/std of numeric columns after the
 * optional log1p. Values never seen in train encode as an all-zero one-hot group, and
 * test rows are standardised with train statistics, so no test information leaks in.
 */
export function fitTabularEncoder(
  columns: readonly ColumnSpec[],
  train: readonly TextRecord[],
  source: string,
): TabularEncoder {
  const numericColumns = columns.flatMap((column, field) =>
    column.kind === 'numeric' ? [{ column, field }] : [],
  )
  const numericValues = new Float64Array(train.length * numericColumns.length)
  train.forEach((record, i) => {
    numericColumns.forEach(({ column, field }, k) => {
      numericValues[i * numericColumns.length + k] = numericValue(record, field, column, source)
    })
  })
  const stats: ColumnStats = columnStats(numericValues, train.length, numericColumns.length)

  const layouts: Layout[] = []
  const featureNames: string[] = []
  let numericIndex = 0
  columns.forEach((column, field) => {
    const offset = featureNames.length
    if (column.kind === 'numeric') {
      layouts.push({ column, field, offset, numeric: numericIndex++, vocabulary: new Map() })
      featureNames.push(column.name)
      return
    }
    const values = [...new Set(train.map((record) => record.fields[field]!))].sort()
    layouts.push({
      column,
      field,
      offset,
      numeric: -1,
      vocabulary: new Map(values.map((v, i) => [v, i])),
    })
    for (const value of values) featureNames.push(`${column.name}=${value}`)
  })

  const d = featureNames.length
  return {
    featureNames,
    d,
    encode(records: readonly TextRecord[], recordSource: string): Float32Array {
      const x = new Float32Array(records.length * d)
      records.forEach((record, i) => {
        const row = i * d
        for (const layout of layouts) {
          if (layout.column.kind === 'numeric') {
            const value = numericValue(record, layout.field, layout.column, recordSource)
            x[row + layout.offset] = standardizeValue(value, stats, layout.numeric)
          } else {
            const position = layout.vocabulary.get(record.fields[layout.field]!)
            if (position !== undefined) x[row + layout.offset + position] = 1
          }
        }
      })
      return x
    },
  }
}

function numericValue(
  record: TextRecord,
  field: number,
  column: ColumnSpec & { kind: 'numeric' },
  source: string,
): number {
  const value = parseNumberField(record.fields[field]!, source, record.line, column.name)
  if (!column.log1p) return value
  // log1p compresses heavy tails (byte counts, capital gains); it is only defined above -1.
  if (value < 0) {
    throw new MsflError(
      'DATA_FORMAT',
      `${source}: line ${record.line}: field '${column.name}' is negative (${value}) but is log-scaled`,
    )
  }
  return Math.log1p(value)
}
