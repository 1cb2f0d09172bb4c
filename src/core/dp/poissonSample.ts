import type { Rng } from '../rng/rng.ts'

/**
 * Poisson sampling: each of the n indices is kept independently with probability q,
 * and the kept ones are written to the front of `out` in increasing order. Returns
 * how many were kept, which is random (mean q·n, possibly 0). This is the sampling the
 * RDP analysis of the subsampled Gaussian mechanism assumes; a fixed-size shuffled
 * batch is not covered by it.
 */
export function poissonSample(n: number, q: number, rng: Rng, out: Int32Array): number {
  let count = 0
  for (let i = 0; i < n; i++) if (rng.next() < q) out[count++] = i
  return count
}
