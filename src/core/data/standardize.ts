import type { Dataset } from './dataset.ts'

/** Per-column mean and (population) standard deviation of a row-major matrix. */
export interface ColumnStats {
  readonly mean: Float64Array
  readonly std: Float64Array
}

/**
 * Below this standard deviation a column is treated as constant and maps to 0, so a
 * column that never varies in train cannot blow up (or NaN) on test rows.
 */
const CONSTANT_STD = 1e-12

/** Column statistics in float64 (two passes, so large offsets do not lose precision). */
export function columnStats(x: ArrayLike<number>, n: number, d: number): ColumnStats {
  const mean = new Float64Array(d)
  const std = new Float64Array(d)
  if (n === 0) return { mean, std }
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += x[i * d + j]!
  for (let j = 0; j < d; j++) mean[j]! /= n
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const diff = x[i * d + j]! - mean[j]!
      std[j]! += diff * diff
    }
  }
  for (let j = 0; j < d; j++) std[j] = Math.sqrt(std[j]! / n)
  return { mean, std }
}

/** Standardises one value with the stats of its column; constant columns give 0. */
export function standardizeValue(value: number, stats: ColumnStats, column: number): number {
  const sd = stats.std[column]!
  return sd < CONSTANT_STD ? 0 : (value - stats.mean[column]!) / sd
}

/** Standardises every column of x in place with the given (training) statistics. */
export function standardizeInPlace(
  x: Float32Array | Float64Array,
  n: number,
  d: number,
  stats: ColumnStats,
): void {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) x[i * d + j] = standardizeValue(x[i * d + j]!, stats, j)
  }
}

/**
 * Standardises train and test with the statistics of train only, so nothing about the
 * test rows leaks into preprocessing. Returns new datasets; the inputs are unchanged.
 */
export function standardizeSplit(train: Dataset, test: Dataset): { train: Dataset; test: Dataset } {
  const stats = columnStats(train.x, train.n, train.d)
  const trainX = Float32Array.from(train.x)
  const testX = Float32Array.from(test.x)
  standardizeInPlace(trainX, train.n, train.d, stats)
  standardizeInPlace(testX, test.n, test.d, stats)
  return { train: { ...train, x: trainX }, test: { ...test, x: testX } }
}
