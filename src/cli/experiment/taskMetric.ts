import type { CellResult } from '../../core/experiment/cellResult.ts'

/**
 * The metric a cell's task is judged by, as shown on the console: test RMSE for a
 * regression (it has no accuracy), test accuracy for a classification.
 */
export function taskMetric(result: Pick<CellResult, 'rmse' | 'accuracy'>): {
  readonly name: string
  readonly text: string
} {
  if (result.rmse !== null) return { name: 'RMSE', text: result.rmse.toPrecision(5) }
  return {
    name: 'accuracy',
    text: result.accuracy === null ? '–' : `${(result.accuracy * 100).toFixed(2)}%`,
  }
}
