/** Euclidean norm of a vector. */
export function l2Norm(vector: ArrayLike<number>): number {
  let sum = 0
  for (let j = 0; j < vector.length; j++) sum += vector[j]! * vector[j]!
  return Math.sqrt(sum)
}

/**
 * Scales `vector` in place so that its L2 norm is at most `maxNorm` (the factor
 * min(1, maxNorm/‖v‖), as in Abadi et al. 2016), and returns the norm it had. The
 * clipping bound is what makes the sensitivity of a sum of contributions known.
 */
export function clipToNorm(vector: Float64Array, maxNorm: number): number {
  const norm = l2Norm(vector)
  if (norm > maxNorm) {
    const scale = maxNorm / norm
    for (let j = 0; j < vector.length; j++) vector[j]! *= scale
  }
  return norm
}
