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
  return splitShares(secret, parties, rng, (last, share) => ringSubInto(last, last, share))
}

/** The sum of all additive shares. */
export function reconstructRing(shares: readonly RingVector[]): RingVector {
  return combineShares(shares, (out, share) => ringAddInto(out, out, share))
}

/** Splits packed bits into `parties` XOR shares. */
export function shareBits(secret: Uint32Array, parties: number, rng: Rng): Uint32Array[] {
  return splitShares(secret, parties, rng, xorInto)
}

/** The XOR of all boolean shares. */
export function reconstructBits(shares: readonly Uint32Array[]): Uint32Array {
  return combineShares(shares, xorInto)
}

/** k − 1 fresh uniform shares, then the secret with each of them removed by `removeInto`. */
function splitShares(
  secret: Uint32Array,
  parties: number,
  rng: Rng,
  removeInto: (last: Uint32Array, share: Uint32Array) => void,
): Uint32Array[] {
  checkParties(parties)
  const shares: Uint32Array[] = []
  const last = Uint32Array.from(secret)
  for (let p = 0; p < parties - 1; p++) {
    const share = randomWords(secret.length, rng)
    removeInto(last, share)
    shares.push(share)
  }
  shares.push(last)
  return shares
}

/** The first share with every other one folded in by `addInto`. */
function combineShares(
  shares: readonly Uint32Array[],
  addInto: (out: Uint32Array, share: Uint32Array) => void,
): Uint32Array {
  if (shares.length === 0) throw new MsflError('PROTOCOL', 'no shares to reconstruct')
  const out = Uint32Array.from(shares[0]!)
  for (let p = 1; p < shares.length; p++) addInto(out, shares[p]!)
  return out
}

/** out ^= share, word by word: adding (or removing) a boolean share. */
function xorInto(out: Uint32Array, share: Uint32Array): void {
  if (share.length !== out.length)
    throw new MsflError('PROTOCOL', 'boolean shares of different lengths')
  for (let i = 0; i < out.length; i++) out[i] = out[i]! ^ share[i]!
}
