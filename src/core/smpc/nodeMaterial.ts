import { MsflError } from '../errors/msflError.ts'
import type { RingVector } from './ring64.ts'

/**
 * One node's share of the dealer's correlated randomness for one session. Every
 * field is an additive (ring) or XOR (bits) share of a value only the dealer knows;
 * on its own each field is uniformly random.
 */
export interface NodeMaterial {
  /** Shares of the comparison masks r, one per compared value. */
  readonly maskRing: RingVector
  /** XOR shares of the same masks' bits, bit-sliced (bitPlanes.ts). */
  readonly maskPlanes: Uint32Array
  /** AND triples a ∧ b = c, 32 per word, consumed in order by every AND layer. */
  readonly andA: Uint32Array
  readonly andB: Uint32Array
  readonly andC: Uint32Array
  /** daBits: random bits shared both as XOR words and as ring elements (for bit → ring conversion). */
  readonly daBitWords: Uint32Array
  readonly daBitRing: RingVector
  /** Beaver triples, only when the validation data is secret-shared. */
  readonly beaver?: BeaverMaterial
}

/**
 * Triples for share × share products. The matrix A (masking the data) is shared by all
 * models, so the data is opened masked once per session; each model m gets its own B_m
 * and C_m = A·B_m. The label triple works the same way element-wise.
 */
export interface BeaverMaterial {
  /** n × d */
  readonly matrixA: RingVector
  /** models × (d × k) */
  readonly matrixB: RingVector
  /** models × (n × k) */
  readonly matrixC: RingVector
  /** n × labelsPerSample */
  readonly labelA: RingVector
  /** models × (n × labelsPerSample) */
  readonly labelB: RingVector
  /** models × (n × labelsPerSample) */
  readonly labelC: RingVector
}

/** Hands out a node's AND triples in order and knows when they run out. */
export interface AndTripleSource {
  take(words: number): { a: Uint32Array; b: Uint32Array; c: Uint32Array }
  /** Words not yet used. */
  remaining(): number
}

export function createAndTripleSource(material: NodeMaterial): AndTripleSource {
  let offset = 0
  const total = material.andA.length
  return {
    take(words) {
      if (offset + words > total)
        throw new MsflError(
          'PROTOCOL',
          `the dealer's AND triples ran out: ${words} words needed, ${total - offset} left`,
        )
      const range = [offset, offset + words] as const
      offset += words
      return {
        a: material.andA.subarray(...range),
        b: material.andB.subarray(...range),
        c: material.andC.subarray(...range),
      }
    },
    remaining: () => total - offset,
  }
}
