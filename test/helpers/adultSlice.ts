import { loadDataset } from '../../src/adapters/data/index.ts'
import type { DatasetSplit } from '../../src/core/data/dataset.ts'
import { parseDatasetSpec } from '../../src/core/data/parseDatasetSpec.ts'

/** The first `n` rows of a dataset (a view, no copy). */
function firstRows(d: DatasetSplit['train'], n: number): DatasetSplit['train'] {
  return { ...d, n, x: d.x.subarray(0, n * d.d), y: d.y.subarray(0, n) }
}

/** UCI Adult cut to its first train and test rows: encrypted runs stay short, the protocol does not care. */
export async function loadAdultSlice(train: number, test: number): Promise<DatasetSplit> {
  const full = await loadDataset(parseDatasetSpec('adult'), 1)
  return { ...full, train: firstRows(full.train, train), test: firstRows(full.test, test) }
}
