/**
 * Σ (a[j] − b[j])² over j in [start, end). Differences are squared directly (no
 * ‖a‖² + ‖b‖² − 2a·b, which cancels catastrophically for close vectors far from
 * zero), and four accumulators let the CPU overlap the additions.
 */
export function squaredDistance(
  a: Float64Array,
  b: Float64Array,
  start: number,
  end: number,
): number {
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
  return s0 + s1 + (s2 + s3)
}
