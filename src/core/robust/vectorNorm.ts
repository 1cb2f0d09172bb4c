import { squaredDistance } from './squaredDistance.ts'

/** Euclidean norm ‖u‖; four accumulators let the CPU overlap the additions. */
export function vectorNorm(u: Float64Array): number {
  let s0 = 0
  let s1 = 0
  let s2 = 0
  let s3 = 0
  const n = u.length
  let j = 0
  for (; j + 3 < n; j += 4) {
    const a = u[j]!
    const b = u[j + 1]!
    const c = u[j + 2]!
    const d = u[j + 3]!
    s0 += a * a
    s1 += b * b
    s2 += c * c
    s3 += d * d
  }
  for (; j < n; j++) s0 += u[j]! * u[j]!
  return Math.sqrt(s0 + s1 + (s2 + s3))
}

/** Euclidean distance ‖a − b‖ between equally long vectors. */
export function vectorDistance(a: Float64Array, b: Float64Array): number {
  return Math.sqrt(squaredDistance(a, b, 0, a.length))
}
