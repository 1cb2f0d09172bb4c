import { MsflError } from '../errors/msflError.ts'
import type { FeatureScalingPlan, ScaledFeature } from './featureScaling.ts'
import { parseNumberField, type TextRecord } from './textRecords.ts'

/**
 * How one input field becomes features, declared before any row is seen (the job's public
 * schema). Field i of a record is described by column i.
 * - categorical: one feature per declared category plus one "(unlisted)" bucket that every
 *   other value falls into, so the layout never depends on which values the rows hold;
 * - numeric: one feature, clamped to the declared range `[lo, hi]` (after the optional
 *   log1p); the job standardises it with statistics the owners agree on (featureScaling.ts).
 */
export type ColumnSpec =
  | { readonly name: string; readonly kind: 'categorical'; readonly categories: readonly string[] }
  | {
      readonly name: string
      readonly kind: 'numeric'
      readonly range: readonly [lo: number, hi: number]
      readonly log1p?: boolean
    }

/** The category every value outside a column's declared list encodes as. */
export const UNLISTED_CATEGORY = '(unlisted)'

/** An encoder fixed by the schema alone: it learns nothing from rows. */
export interface TabularEncoder {
  readonly featureNames: readonly string[]
  readonly d: number
  /** The numeric features, still on their own scale, that the job standardises. */
  readonly scaling: FeatureScalingPlan
  /** Encodes rows (any party's, train or test) into an n × d row-major matrix. */
  encode(records: readonly TextRecord[], source: string): Float32Array
}

interface Layout {
  readonly column: ColumnSpec
  readonly field: number
  /** First feature index of this column. */
  readonly offset: number
  /** Value → position within the one-hot group (categorical columns only). */
  readonly vocabulary: ReadonlyMap<string, number>
}

/**
 * Builds the encoder of a declared schema. Every row is encoded on its own: the same row
 * gives the same features whoever holds it and whatever other rows exist, which is what
 * lets each data owner encode its own rows and keeps the model's shape independent of
 * any record (test/data/federatedEncoding.test.ts).
 */
export function createTabularEncoder(columns: readonly ColumnSpec[]): TabularEncoder {
  const layouts: Layout[] = []
  const featureNames: string[] = []
  const scaled: ScaledFeature[] = []
  columns.forEach((column, field) => {
    const offset = featureNames.length
    if (column.kind === 'numeric') {
      const [lo, hi] = column.range
      if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi))
        throw new MsflError(
          'CONFIG_INVALID',
          `schema: column '${column.name}' range [${lo}, ${hi}] is not a finite interval with lo < hi`,
        )
      layouts.push({ column, field, offset, vocabulary: new Map() })
      featureNames.push(column.name)
      scaled.push({ feature: offset, lo, hi })
      return
    }
    const categories = [...column.categories, UNLISTED_CATEGORY]
    if (new Set(categories).size !== categories.length)
      throw new MsflError(
        'CONFIG_INVALID',
        `schema: column '${column.name}' lists a category twice (or lists '${UNLISTED_CATEGORY}')`,
      )
    layouts.push({ column, field, offset, vocabulary: new Map(categories.map((v, i) => [v, i])) })
    for (const value of categories) featureNames.push(`${column.name}=${value}`)
  })

  const d = featureNames.length
  return {
    featureNames,
    d,
    scaling: { features: scaled },
    encode(records: readonly TextRecord[], source: string): Float32Array {
      const x = new Float32Array(records.length * d)
      records.forEach((record, i) => {
        const row = i * d
        for (const layout of layouts) {
          const { column } = layout
          if (column.kind === 'numeric') {
            const value = numericValue(record, layout.field, column, source)
            x[row + layout.offset] = Math.min(column.range[1], Math.max(column.range[0], value))
          } else {
            const position =
              layout.vocabulary.get(record.fields[layout.field]!) ?? column.categories.length
            x[row + layout.offset + position] = 1
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
