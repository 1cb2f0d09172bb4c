import { MsflError } from '../errors/msflError.ts'
import type { Rng } from '../rng/rng.ts'
import { shuffleInPlace } from '../rng/seededRng.ts'
import { type Dataset, selectRows } from './dataset.ts'

/**
 * Deterministic stratified train/test split for datasets without an official one: in
 * every class, round(count × testFraction) rows picked by the injected Rng go to test.
 * Both parts keep the original row order, so the result depends only on the Rng stream.
 */
export function stratifiedSplit(
  data: Dataset,
  testFraction: number,
  rng: Rng,
): { train: Dataset; test: Dataset } {
  const { trainRows, testRows } = stratifiedSplitRows(data, testFraction, rng)
  return { train: selectRows(data, trainRows), test: selectRows(data, testRows) }
}

/**
 * The rows {@link stratifiedSplit} puts on each side, in their original order: for a
 * caller that must split something aligned with the dataset's rows (e.g. the raw records
 * an owner's CSV file is written from) exactly as the dataset is split.
 */
export function stratifiedSplitRows(
  data: Dataset,
  testFraction: number,
  rng: Rng,
): { trainRows: number[]; testRows: number[] } {
  if (!(testFraction > 0 && testFraction < 1)) {
    throw new MsflError(
      'CONFIG_INVALID',
      `${data.name}: testFraction must be strictly between 0 and 1, got ${testFraction}`,
    )
  }
  const byClass: number[][] = Array.from({ length: data.numClasses }, () => [])
  for (let i = 0; i < data.n; i++) byClass[data.y[i]!]!.push(i)
  const isTest = new Uint8Array(data.n)
  for (const rows of byClass) {
    shuffleInPlace(rows, rng)
    const take = Math.round(rows.length * testFraction)
    for (let k = 0; k < take; k++) isTest[rows[k]!] = 1
  }
  const trainRows: number[] = []
  const testRows: number[] = []
  for (let i = 0; i < data.n; i++) (isTest[i] ? testRows : trainRows).push(i)
  return { trainRows, testRows }
}
