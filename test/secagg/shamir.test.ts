import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  FIELD_PRIME,
  fieldFromBytes,
  fieldInverse,
  fieldMul,
  fieldToBytes,
} from '../../src/core/secagg/primeField.ts'
import {
  interpolateAt,
  reconstructSecret,
  type ShamirShare,
  shareSecret,
} from '../../src/core/secagg/shamir.ts'
import { crypto } from './secaggFixtures.ts'

const share = (secret: Uint8Array, n: number, t: number): ShamirShare[] => {
  const xs = Array.from({ length: n }, (_, i) => i + 1)
  return shareSecret(secret, xs, t, crypto.randomBytes).map((y, i) => ({ x: xs[i]!, y }))
}

describe('prime field GF(2^256 + 297)', () => {
  it('inverts, and encodes elements as 33 bytes refusing values ≥ p', () => {
    for (const a of [1n, 2n, 12345678901234567890n, FIELD_PRIME - 1n, 1n << 255n])
      assert.equal(fieldMul(a, fieldInverse(a)), 1n)
    assert.throws(() => fieldInverse(0n), /no inverse/)
    const x = FIELD_PRIME - 5n
    assert.equal(fieldFromBytes(fieldToBytes(x), 'x'), x)
    const tooBig = fieldToBytes(FIELD_PRIME - 1n)
    tooBig[32] = 0xff
    tooBig[0] = 0x01
    assert.throws(() => fieldFromBytes(tooBig, 'share'), /share is not below the field prime/)
    assert.throws(() => fieldFromBytes(new Uint8Array(32), 'share'), /share must be 33 bytes/)
  })
})

describe('Shamir t-of-n sharing of 32-byte secrets', () => {
  it('any t of the n shares reconstruct the secret, in any order', () => {
    for (const [n, t] of [
      [5, 3],
      [10, 7],
      [100, 67],
      [7, 7],
    ] as const) {
      const secret = crypto.randomBytes(32)
      const shares = share(secret, n, t)
      for (let trial = 0; trial < 5; trial++) {
        const subset = [...shares].sort(() => crypto.randomBytes(1)[0]! - 128).slice(0, t)
        assert.deepEqual(reconstructSecret(subset, t), secret, `${t} of ${n}`)
      }
      // More than t shares: the extra one is checked against the polynomial.
      assert.deepEqual(reconstructSecret(shares, t), secret)
    }
  })

  it('handles the extreme secrets 0 and 2^256 − 1', () => {
    for (const secret of [new Uint8Array(32), new Uint8Array(32).fill(0xff)])
      assert.deepEqual(reconstructSecret(share(secret, 6, 4), 4), secret)
  })

  it('t − 1 shares are consistent with every secret, and the same secret shares differently each time', () => {
    const t = 5
    const secret = crypto.randomBytes(32)
    const shares = share(secret, 8, t).slice(0, t - 1)
    // For any guess there is a degree-(t−1) polynomial through (0, guess) and the t − 1
    // shares: complete it with one more point and reconstruction yields the guess.
    for (let k = 0; k < 3; k++) {
      const guess = crypto.randomBytes(32)
      let g = 0n
      for (const b of guess) g = (g << 8n) | BigInt(b)
      const completion = { x: 8, y: interpolateAt([{ x: 0, y: g }, ...shares], 8) }
      assert.deepEqual(reconstructSecret([...shares, completion], t), guess)
    }
    const again = share(secret, 8, t)
    assert.ok(again.slice(0, t - 1).every((s, i) => s.y !== shares[i]!.y))
  })

  it('refuses too few shares, bad thresholds, repeated or invalid x-coordinates, wrong secret sizes', () => {
    const secret = crypto.randomBytes(32)
    const shares = share(secret, 6, 4)
    assert.throws(
      () => reconstructSecret(shares.slice(0, 3), 4),
      /need 4 shares to reconstruct a secret, got 3/,
    )
    assert.throws(
      () => reconstructSecret([shares[0]!, shares[0]!, shares[1]!, shares[2]!], 4),
      /x-coordinate 1 appears twice/,
    )
    assert.throws(
      () => shareSecret(secret, [1, 2, 3], 4, crypto.randomBytes),
      /threshold must be an integer in 1..3/,
    )
    assert.throws(() => shareSecret(secret, [1, 2, 3], 0, crypto.randomBytes), /threshold/)
    assert.throws(
      () => shareSecret(secret, [0, 1, 2], 2, crypto.randomBytes),
      /x-coordinate must be an integer ≥ 1, got 0/,
    )
    assert.throws(() => shareSecret(secret, [1, 2, 2], 2, crypto.randomBytes), /appears twice/)
    assert.throws(() => shareSecret(new Uint8Array(31), [1, 2], 2, crypto.randomBytes), /32 bytes/)
  })

  it('detects a corrupted share when one more than t is available', () => {
    const secret = crypto.randomBytes(32)
    const shares = share(secret, 6, 4)
    const corrupted = shares.map((s, i) => (i === 1 ? { x: s.x, y: (s.y + 1n) % FIELD_PRIME } : s))
    assert.throws(() => reconstructSecret(corrupted.slice(0, 5), 4), /inconsistent/)
  })
})
