/** Per-column mean and (population) standard deviation. */
export interface ColumnStats {
  readonly mean: Float64Array
  readonly std: Float64Array
}

/**
 * Below this standard deviation a column is treated as constant and maps to 0, so a
 * column that never varies cannot blow up (or NaN) on other rows.
 */
const CONSTANT_STD = 1e-12

/** Standardises one value with the stats of its column; constant columns give 0. */
export function standardizeValue(value: number, stats: ColumnStats, column: number): number {
  const sd = stats.std[column]!
  return sd < CONSTANT_STD ? 0 : (value - stats.mean[column]!) / sd
}
