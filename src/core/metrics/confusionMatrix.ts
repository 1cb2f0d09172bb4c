import { MsflError } from '../errors/msflError.ts'

/**
 * counts[a][p] = number of rows whose actual class is a and predicted class is p,
 * so row sums are class supports and column sums are prediction counts.
 */
export function confusionMatrix(
  actual: ArrayLike<number>,
  predicted: ArrayLike<number>,
  numClasses: number,
): number[][] {
  if (actual.length !== predicted.length) {
    throw new MsflError(
      'DATA_INTEGRITY',
      `confusion matrix needs as many predictions as labels, got ${predicted.length} and ${actual.length}`,
    )
  }
  const counts = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0))
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!
    const p = predicted[i]!
    if (!isClass(a, numClasses)) throw badClass('actual', i, a, numClasses)
    if (!isClass(p, numClasses)) throw badClass('predicted', i, p, numClasses)
    counts[a]![p]! += 1
  }
  return counts
}

function isClass(value: number, numClasses: number): boolean {
  return Number.isInteger(value) && value >= 0 && value < numClasses
}

function badClass(field: string, i: number, value: number, numClasses: number): MsflError {
  return new MsflError(
    'DATA_INTEGRITY',
    `${field}[${i}] = ${value} is not a class index in 0..${numClasses - 1}`,
  )
}
