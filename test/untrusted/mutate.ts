import { deflateSync } from 'node:zlib'
import type { Rng } from '../../src/core/rng/rng.ts'
import { HOSTILE_MESSAGES, hostileMessage } from './hostileInputs.ts'
import { zlibSealObject } from './hostileLoads.ts'

/**
 * One mutant of real bytes, by one of the classes of issue 14: byte flips, a length or
 * count field set huge, truncation, appended bytes, a run of nulls or a hostile message
 * spliced in, a SEAL header's declared size, or a SEAL body replaced by a zlib bomb.
 */
export function mutate(source: Uint8Array, rng: Rng): Uint8Array {
  const at = (limit = source.length) => rng.nextInt(Math.max(1, limit))
  switch (rng.nextInt(9)) {
    case 0: {
      const out = source.slice()
      for (let k = 1 + rng.nextInt(4); k > 0; k--)
        out[at(Math.min(source.length, 200))] = rng.nextInt(256)
      return out
    }
    case 1: {
      const out = source.slice()
      out[at()]! ^= 1 << rng.nextInt(8)
      return out
    }
    case 2: {
      const out = source.slice()
      const offset = at(Math.min(source.length - 4, 200))
      const huge = [0xffffffff, 0x7fffffff, 0x10000000, rng.nextInt(2 ** 31)][rng.nextInt(4)]!
      new DataView(out.buffer).setUint32(Math.max(0, offset), huge, rng.next() < 0.5)
      return out
    }
    case 3:
      return source.subarray(0, at())
    case 4: {
      const out = new Uint8Array(source.length + 1 + rng.nextInt(4096))
      out.set(source)
      for (let i = source.length; i < out.length; i++) out[i] = rng.nextInt(256)
      return out
    }
    case 5: {
      // A hostile message (nulls, empty objects, a big BigInt, …) spliced in at a value.
      const kind = HOSTILE_MESSAGES[rng.nextInt(HOSTILE_MESSAGES.length)]!
      const payload = hostileMessage(kind, 1024 + rng.nextInt(256 * 1024)).subarray(5)
      const cut = at(Math.min(source.length, 400))
      const out = new Uint8Array(cut + payload.length)
      out.set(source.subarray(0, cut))
      out.set(payload, cut)
      return out
    }
    case 6: {
      const out = source.slice()
      if (out.length >= 16)
        new DataView(out.buffer).setBigUint64(
          8,
          [2n ** 64n - 1n, 2n ** 32n, BigInt(out.length + 1)][rng.nextInt(3)]!,
          true,
        )
      return out
    }
    case 7:
      return zlibSealObject(source, deflateSync(new Uint8Array(1 + rng.nextInt(16 * 2 ** 20))))
    default: {
      const out = source.slice()
      const from = at()
      const length = Math.min(rng.nextInt(64), out.length - from)
      out.copyWithin(at(), from, from + length)
      return out
    }
  }
}
