/** Columns per block: a block of one update (32 KiB) stays in L1 while all partners stream past. */
const BLOCK = 4096

/**
 * The n×n matrix of ‖uᵢ − uₖ‖², row-major, computed once for the Krum family:
 * n(n−1)/2 pair loops over contiguous arrays, column-blocked for cache reuse and
 * unrolled by four to keep independent additions in flight. Differences are
 * squared directly rather than via ‖a‖² + ‖b‖² − 2a·b, which cancels
 * catastrophically when updates are close to each other but far from zero.
 */
export function pairwiseSquaredDistances(updates: readonly Float64Array[]): Float64Array {
  const n = updates.length
  const length = n === 0 ? 0 : updates[0]!.length
  const matrix = new Float64Array(n * n)
  for (let start = 0; start < length; start += BLOCK) {
    const end = Math.min(length, start + BLOCK)
    for (let i = 0; i < n; i++) {
      const a = updates[i]!
      for (let k = i + 1; k < n; k++) {
        const b = updates[k]!
        let s0 = 0
        let s1 = 0
        let s2 = 0
        let s3 = 0
        let j = start
        for (; j + 3 < end; j += 4) {
          const d0 = a[j]! - b[j]!
          const d1 = a[j + 1]! - b[j + 1]!
          const d2 = a[j + 2]! - b[j + 2]!
          const d3 = a[j + 3]! - b[j + 3]!
          s0 += d0 * d0
          s1 += d1 * d1
          s2 += d2 * d2
          s3 += d3 * d3
        }
        for (; j < end; j++) {
          const d = a[j]! - b[j]!
          s0 += d * d
        }
        matrix[i * n + k]! += s0 + s1 + (s2 + s3)
      }
    }
  }
  for (let i = 0; i < n; i++) for (let k = i + 1; k < n; k++) matrix[k * n + i] = matrix[i * n + k]!
  return matrix
}
