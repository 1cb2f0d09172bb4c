import { squaredDistance } from './squaredDistance.ts'

/** Columns per block: a block of one update (32 KiB) stays in L1 while all partners stream past. */
const BLOCK = 4096

/**
 * The n×n matrix of ‖uᵢ − uₖ‖², row-major, computed once for the Krum family:
 * n(n−1)/2 pair loops over contiguous arrays, column-blocked for cache reuse
 * (squaredDistance explains the unrolling and why differences are squared directly).
 */
export function pairwiseSquaredDistances(updates: readonly Float64Array[]): Float64Array {
  const n = updates.length
  const length = n === 0 ? 0 : updates[0]!.length
  const matrix = new Float64Array(n * n)
  for (let start = 0; start < length; start += BLOCK) {
    const end = Math.min(length, start + BLOCK)
    for (let i = 0; i < n; i++) {
      const a = updates[i]!
      for (let k = i + 1; k < n; k++)
        matrix[i * n + k]! += squaredDistance(a, updates[k]!, start, end)
    }
  }
  for (let i = 0; i < n; i++) for (let k = i + 1; k < n; k++) matrix[k * n + i] = matrix[i * n + k]!
  return matrix
}
