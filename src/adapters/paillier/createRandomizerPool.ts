import { randomFillSync } from 'node:crypto'
import { MsflError } from '../../core/errors/msflError.ts'
import { bytesToBigint } from '../../core/paillier/bigintBytes.ts'
import type { ModularBackend } from './modularBackend.ts'

/**
 * Encryption randomisers s = r^n mod n² for uniform r ∈ Z*_n from the operating
 * system's CSPRNG. s is the expensive half of a Paillier encryption (one 2048-bit
 * exponent mod a 4096-bit modulus) and does not depend on the message, so it can be
 * computed before the update exists (the offline phase) and the encryption itself is
 * then one multiplication.
 *
 * Each randomiser is handed out once and dropped: two ciphertexts sharing r reveal the
 * difference of their plaintexts (c1/c2 = (1 + n)^(m1 − m2)), which breaks semantic
 * security. The pool lives in one process's memory and is never exported.
 */
export interface RandomizerPool {
  readonly size: number
  /** Precomputes `count` more randomisers. */
  fill(count: number): void
  /** A randomiser never handed out before: pooled if any, else computed now. */
  take(): bigint
}

export function createRandomizerPool(n: bigint, backend: ModularBackend): RandomizerPool {
  const n2 = n * n
  const bits = n.toString(2).length
  const bytes = new Uint8Array(Math.ceil(bits / 8))
  const topMask = 0xff >> (bytes.length * 8 - bits)
  const drawUnit = (): bigint => {
    // Rejection sampling over [1, n): uniform, and gcd(r, n) ≠ 1 would mean r found a factor.
    for (;;) {
      randomFillSync(bytes)
      bytes[0] = bytes[0]! & topMask
      const r = bytesToBigint(bytes)
      if (r !== 0n && r < n && backend.gcd(r, n) === 1n) return r
    }
  }
  const fresh = () => backend.modPow(drawUnit(), n, n2)
  const pool: bigint[] = []
  return {
    get size() {
      return pool.length
    },
    fill(count) {
      if (!Number.isInteger(count) || count < 0)
        throw new MsflError(
          'CONFIG_INVALID',
          `paillier randomness: count must be a non-negative integer, got ${count}`,
        )
      for (let i = 0; i < count; i++) pool.push(fresh())
    },
    take() {
      return pool.pop() ?? fresh()
    },
  }
}
