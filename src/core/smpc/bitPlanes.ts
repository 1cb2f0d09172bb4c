import { MsflError } from '../errors/msflError.ts'
import { type RingVector, ringCount } from './ring64.ts'

/**
 * Bit-slicing: bit b of element i goes to plane b, word i >> 5, bit i & 31. The
 * boolean circuits then work on whole planes, so one 32-bit AND evaluates the same
 * gate of 32 comparisons at once. Planes are stored plane-major: plane b occupies
 * words [b·W, (b + 1)·W) with W = count / 32.
 */
export const RING_BITS = 64

/** The 64 bit planes of a ring vector whose length is a multiple of 32. */
export function bitPlanes(values: RingVector): Uint32Array {
  const count = ringCount(values)
  if (count % 32 !== 0)
    throw new MsflError('PROTOCOL', `bit planes need a multiple of 32 values, got ${count}`)
  const words = count / 32
  const planes = new Uint32Array(RING_BITS * words)
  for (let i = 0; i < count; i++) {
    const word = i >>> 5
    const bit = 1 << (i & 31)
    for (let half = 0; half < 2; half++) {
      let limb = values[2 * i + half]!
      const base = half * 32
      // Visit only the set bits: lowest set bit first.
      while (limb !== 0) {
        const low = limb & -limb
        const b = 31 - Math.clz32(low)
        planes[(base + b) * words + word]! |= bit
        limb = (limb ^ low) >>> 0
      }
    }
  }
  return planes
}

/** Plane b of bit planes over `words` words (a view). */
export function plane(planes: Uint32Array, b: number, words: number): Uint32Array {
  return planes.subarray(b * words, (b + 1) * words)
}
