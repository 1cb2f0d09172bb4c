import { type NamedSpec, parseSpecString, type SpecValue } from '../spec/parseSpecString.ts'

export type DatasetOptionValue = SpecValue

/** A dataset name with loader options, e.g. `{ name: 'nsl-kdd', options: { labels: 'binary' } }`. */
export type DatasetSpec = NamedSpec

/** Parses `name[:key=value,…]` for a dataset (see parseSpecString). */
export function parseDatasetSpec(text: string): DatasetSpec {
  return parseSpecString(text, 'dataset')
}
