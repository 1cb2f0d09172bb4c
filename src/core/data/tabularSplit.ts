import type { Dataset, DatasetSplit } from './dataset.ts'
import { type ColumnSpec, createTabularEncoder } from './tabularEncoder.ts'
import type { TextRecord } from './textRecords.ts'

/** What makes parsed text records of one tabular dataset into a classification split. */
export interface TabularSplitSpec {
  readonly name: string
  readonly columns: readonly ColumnSpec[]
  readonly classNames: readonly string[]
  /** The class index of every record; throws on a label it does not know. */
  labels(records: readonly TextRecord[], source: string): Float64Array
  /** The split's preprocessing notes, given the encoded feature count. */
  describe(d: number): string
}

/** Parsed records and the file they came from (error messages name it). */
export interface SourcedRecords {
  readonly records: readonly TextRecord[]
  readonly source: string
}

/**
 * Encodes a train/test split of a tabular dataset with the encoder its declared columns
 * define: the layout never depends on the rows, and numeric columns are left for the
 * owners' scaling agreement (`scaling`, docs/differential-privacy.md "Preprocessing").
 */
export function encodeTabularSplit(
  spec: TabularSplitSpec,
  train: SourcedRecords,
  test: SourcedRecords,
): DatasetSplit {
  const encoder = createTabularEncoder(spec.columns)
  const build = ({ records, source }: SourcedRecords): Dataset => ({
    name: spec.name,
    x: encoder.encode(records, source),
    y: spec.labels(records, source),
    n: records.length,
    d: encoder.d,
    numClasses: spec.classNames.length,
    classNames: spec.classNames,
    featureNames: encoder.featureNames,
  })
  return {
    train: build(train),
    test: build(test),
    scaling: encoder.scaling,
    description: spec.describe(encoder.d),
  }
}
