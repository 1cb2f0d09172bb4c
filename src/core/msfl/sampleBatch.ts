import { MsflError } from '../errors/msflError.ts'
import type { Rng } from '../rng/rng.ts'

/** m distinct row indices out of n (partial Fisher–Yates), in draw order. */
export function sampleBatch(n: number, m: number, rng: Rng): Int32Array {
  if (!Number.isInteger(m) || m < 1)
    throw new MsflError('CONFIG_INVALID', `batch size must be a positive integer, got ${m}`)
  const size = Math.min(n, m)
  const pool = Int32Array.from({ length: n }, (_, i) => i)
  for (let i = 0; i < size; i++) {
    const j = i + rng.nextInt(n - i)
    const t = pool[i]!
    pool[i] = pool[j]!
    pool[j] = t
  }
  return pool.slice(0, size)
}
