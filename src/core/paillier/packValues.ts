import { MsflError } from '../errors/msflError.ts'
import type { PackingLayout } from './packingLayout.ts'
import { wordsToBigint, writeSlot } from './slotWords.ts'

export interface PackOptions {
  /**
   * Clamp values outside [−range, range] to the bound instead of refusing them. Off by
   * default: silently changing an update is the caller's decision (e.g. after clipping
   * for differential privacy, where the bound is already enforced).
   */
  readonly saturate?: boolean
}

/** Plaintexts one update of `length` values takes. */
export function packedPlaintexts(layout: PackingLayout, length: number): number {
  return Math.ceil(length / layout.slots)
}

/**
 * Quantises one client's update and packs it into plaintexts below 2^usedBits (< n):
 * slot 0 of every plaintext holds 1, so after homomorphic addition it counts the
 * updates summed; value j goes to slot 1 + (j mod slots) of plaintext ⌊j / slots⌋,
 * as q = round(x/Δ + (2^b − 1)/2). Unused slots of the last plaintext stay 0.
 */
export function packValues(
  layout: PackingLayout,
  values: Float64Array,
  options: PackOptions = {},
): bigint[] {
  if (values.length === 0)
    throw new MsflError('PROTOCOL', 'paillier packing: the update has no values')
  if (values.length > 0xffff_ffff)
    throw new MsflError(
      'PROTOCOL',
      `paillier packing: ${values.length} values exceed the format's u32 length`,
    )
  const { slots, slotBits, range } = layout
  const top = 2 ** layout.valueBits - 1
  const half = top / 2
  const scale = 1 / layout.step
  const wordCount = Math.ceil(layout.usedBits / 32)
  const out: bigint[] = []
  for (let start = 0; start < values.length; start += slots) {
    const words = new Uint32Array(wordCount)
    writeSlot(words, 0, 1, slotBits)
    const end = Math.min(start + slots, values.length)
    for (let i = start; i < end; i++) {
      let x = values[i]!
      if (!Number.isFinite(x))
        throw new MsflError('PROTOCOL', `paillier packing: value ${i} is not finite (${x})`)
      if (x > range || x < -range) {
        if (!options.saturate)
          throw new MsflError(
            'PROTOCOL',
            `paillier packing: value ${i} = ${x} is outside [−${range}, ${range}] (clip it, or pack with saturate)`,
          )
        x = x > 0 ? range : -range
      }
      // Clamped because x·(1/Δ) may round a hair past the ends of [0, 2^b − 1].
      const q = Math.min(top, Math.max(0, Math.round(x * scale + half)))
      writeSlot(words, (1 + i - start) * slotBits, q, slotBits)
    }
    out.push(wordsToBigint(words))
  }
  return out
}
