import { MsflError } from '../errors/msflError.ts'
import type { Rng } from '../rng/rng.ts'
import { type RingVector, ringAddInto, ringSubInto } from './ring64.ts'

/**
 * Additive k-out-of-k secret sharing, arithmetic over Z_2^64 and boolean over bits
 * packed 32 to a word (XOR is addition in Z_2). k − 1 shares are fresh uniform
 * randomness and the last is the secret minus their sum, so any k − 1 shares are
 * uniformly distributed and independent of the secret; all k are needed to rebuild it.
 */

/** count uniform 32-bit words from rng (nextInt(2^32) yields 32 uniform bits). */
export function randomWords(count: number, rng: Rng): Uint32Array {
  const out = new Uint32Array(count)
  for (let i = 0; i < count; i++) out[i] = rng.nextInt(4294967296)
  return out
}

/** count uniform elements of Z_2^64. */
export function randomRing(count: number, rng: Rng): RingVector {
  return randomWords(2 * count, rng)
}

function checkParties(parties: number): void {
  if (!Number.isInteger(parties) || parties < 2)
    throw new MsflError('CONFIG_INVALID', `secret sharing needs at least 2 parties, got ${parties}`)
}

/** Splits a ring vector into `parties` additive shares. */
export function shareRing(secret: RingVector, parties: number, rng: Rng): RingVector[] {
  checkParties(parties)
  const shares: RingVector[] = []
  const last = Uint32Array.from(secret)
  for (let p = 0; p < parties - 1; p++) {
    const share = randomWords(secret.length, rng)
    ringSubInto(last, last, share)
    shares.push(share)
  }
  shares.push(last)
  return shares
}

/** The sum of all additive shares. */
export function reconstructRing(shares: readonly RingVector[]): RingVector {
  if (shares.length === 0) throw new MsflError('PROTOCOL', 'no shares to reconstruct')
  const out = Uint32Array.from(shares[0]!)
  for (let p = 1; p < shares.length; p++) ringAddInto(out, out, shares[p]!)
  return out
}

/** Splits packed bits into `parties` XOR shares. */
export function shareBits(secret: Uint32Array, parties: number, rng: Rng): Uint32Array[] {
  checkParties(parties)
  const shares: Uint32Array[] = []
  const last = Uint32Array.from(secret)
  for (let p = 0; p < parties - 1; p++) {
    const share = randomWords(secret.length, rng)
    for (let i = 0; i < last.length; i++) last[i] = last[i]! ^ share[i]!
    shares.push(share)
  }
  shares.push(last)
  return shares
}

/** The XOR of all boolean shares. */
export function reconstructBits(shares: readonly Uint32Array[]): Uint32Array {
  if (shares.length === 0) throw new MsflError('PROTOCOL', 'no shares to reconstruct')
  const out = Uint32Array.from(shares[0]!)
  for (let p = 1; p < shares.length; p++) {
    const share = shares[p]!
    if (share.length !== out.length)
      throw new MsflError('PROTOCOL', 'boolean shares of different lengths')
    for (let i = 0; i < out.length; i++) out[i] = out[i]! ^ share[i]!
  }
  return out
}
