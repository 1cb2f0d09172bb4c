import { randomFillSync } from 'node:crypto'
import { createNormalSampler } from '../../core/rng/createNormalSampler.ts'
import type { Rng } from '../../core/rng/rng.ts'

/**
 * An Rng backed by the operating system's CSPRNG, for masks and noise flooding.
 * Draws are buffered 8 KiB at a time; each float takes 53 random bits.
 */
export function createCsprng(): Rng {
  const buffer = new Uint32Array(2048)
  let index = buffer.length
  const nextU32 = (): number => {
    if (index >= buffer.length) {
      randomFillSync(buffer)
      index = 0
    }
    return buffer[index++]!
  }
  const next = (): number => ((nextU32() >>> 5) * 67108864 + (nextU32() >>> 6)) / 9007199254740992
  return {
    kind: 'csprng',
    next,
    nextInt(bound: number): number {
      if (!Number.isInteger(bound) || bound <= 0 || bound > 2 ** 32)
        throw new RangeError(`nextInt bound must be an integer in 1..2^32, got ${bound}`)
      // Rejection sampling: no modulo bias.
      const limit = 2 ** 32 - (2 ** 32 % bound)
      let x = nextU32()
      while (x >= limit) x = nextU32()
      return x % bound
    },
    normal: createNormalSampler(next),
  }
}
