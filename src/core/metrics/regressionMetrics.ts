import { MsflError } from '../errors/msflError.ts'

/** Root mean squared error √(mean((ŷ − y)²)). */
export function rmse(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  check(predicted, actual)
  let sum = 0
  for (let i = 0; i < actual.length; i++) {
    const diff = predicted[i]! - actual[i]!
    sum += diff * diff
  }
  return Math.sqrt(sum / actual.length)
}

/** Mean absolute error mean(|ŷ − y|). */
export function mae(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  check(predicted, actual)
  let sum = 0
  for (let i = 0; i < actual.length; i++) sum += Math.abs(predicted[i]! - actual[i]!)
  return sum / actual.length
}

function check(predicted: ArrayLike<number>, actual: ArrayLike<number>): void {
  if (predicted.length !== actual.length || actual.length === 0) {
    throw new MsflError(
      'DATA_INTEGRITY',
      `regression metrics need equal, non-zero numbers of predictions and targets, got ${predicted.length} and ${actual.length}`,
    )
  }
}
