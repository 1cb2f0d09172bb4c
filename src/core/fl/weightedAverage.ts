import { MsflError } from '../errors/msflError.ts'

/**
 * Σ wᵢ·vᵢ / Σ wᵢ over equally long vectors: the FedAvg reduction. One pass per
 * vector with a contiguous inner loop, so it runs at memory bandwidth.
 */
export function weightedAverage(
  vectors: readonly Float64Array[],
  weights: readonly number[],
): Float64Array {
  if (vectors.length === 0) throw new MsflError('PROTOCOL', 'cannot average zero vectors')
  if (vectors.length !== weights.length)
    throw new MsflError('PROTOCOL', `${vectors.length} vectors but ${weights.length} weights`)
  const length = vectors[0]!.length
  let total = 0
  for (const w of weights) {
    if (!(w >= 0) || !Number.isFinite(w))
      throw new MsflError('PROTOCOL', `weight ${w} is not a finite non-negative number`)
    total += w
  }
  if (total === 0) throw new MsflError('PROTOCOL', 'weights sum to zero')
  const out = new Float64Array(length)
  for (let k = 0; k < vectors.length; k++) {
    const v = vectors[k]!
    if (v.length !== length)
      throw new MsflError('PROTOCOL', `vector ${k} has ${v.length} values, expected ${length}`)
    const scale = weights[k]! / total
    for (let j = 0; j < length; j++) out[j]! += scale * v[j]!
  }
  return out
}
