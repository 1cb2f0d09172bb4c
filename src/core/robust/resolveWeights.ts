import { MsflError } from '../errors/msflError.ts'

/**
 * Example counts as averaging coefficients that sum to 1; equal weights when none
 * are given. Weights arrive from clients, so bad ones are PROTOCOL errors.
 */
export function resolveWeights(
  rule: string,
  n: number,
  weights: readonly number[] | undefined,
): Float64Array {
  const out = new Float64Array(n)
  if (weights === undefined) return out.fill(1 / n)
  if (weights.length !== n)
    throw new MsflError('PROTOCOL', `${rule}: ${n} updates but ${weights.length} weights`)
  let total = 0
  for (let i = 0; i < n; i++) {
    const w = weights[i]!
    if (!Number.isFinite(w) || w < 0)
      throw new MsflError(
        'PROTOCOL',
        `${rule}: weight ${i} is ${w}, not a finite non-negative number`,
      )
    total += w
  }
  if (total === 0) throw new MsflError('PROTOCOL', `${rule}: weights sum to zero`)
  for (let i = 0; i < n; i++) out[i] = weights[i]! / total
  return out
}
