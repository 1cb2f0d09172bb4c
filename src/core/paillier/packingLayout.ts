import { MsflError } from '../errors/msflError.ts'

/**
 * Zero bits kept above the used slots of every plaintext. They make any packed value
 * smaller than 2^(modulusBits − 1) ≤ n, and a ciphertext under another key or with
 * altered bytes decrypts to an essentially uniform value mod n, whose top GUARD_BITS
 * bits are all zero with probability ≤ 2^-64: that is what detects it after decryption.
 */
export const GUARD_BITS = 64

/** What the parties agree on before a round (the key fixes the plaintext size). */
export interface PackingOptions {
  /** Bits b of one quantised value: values become integers in [0, 2^b). */
  readonly valueBits: number
  /** The most client updates one sum may hold; every slot has headroom for them. */
  readonly maxClients: number
  /** Values must lie in [−range, range] (the caller clips, or asks the packer to saturate). */
  readonly range: number
}

export interface PackingLayout extends PackingOptions {
  /** Bit length of the Paillier modulus n the plaintexts live under. */
  readonly modulusBits: number
  /** ⌈log2(maxClients)⌉: the carries a sum of maxClients values can produce. */
  readonly headroomBits: number
  /** valueBits + headroomBits: a slot holds the sum of all clients without spilling over. */
  readonly slotBits: number
  /** Value slots per plaintext; one more slot (the lowest) counts the summed updates. */
  readonly slots: number
  /** Bits the slots use, counter included: the plaintext is below 2^usedBits. */
  readonly usedBits: number
  /** Quantisation step Δ = 2·range / (2^b − 1): a value is off by at most Δ/2. */
  readonly step: number
}

const MAX_VALUE_BITS = 48
const MAX_CLIENTS = 2 ** 24

/**
 * Fits b-bit fixed-point values into plaintexts mod n. A value x ∈ [−R, R] becomes
 * q = round((x + R)/Δ) ∈ [0, 2^b − 1] (shifted, so no two's complement), and a sum of
 * k ≤ maxClients such q is at most k·(2^b − 1) < 2^(b + headroom): slots never carry
 * into each other. Slot sums stay exact in a float64 because b + headroom ≤ 53.
 */
export function createPackingLayout(modulusBits: number, options: PackingOptions): PackingLayout {
  const { valueBits, maxClients, range } = options
  const fail = (problem: string): never => {
    throw new MsflError('CONFIG_INVALID', `paillier packing: ${problem}`)
  }
  if (!Number.isInteger(valueBits) || valueBits < 1 || valueBits > MAX_VALUE_BITS)
    fail(`valueBits must be an integer in 1..${MAX_VALUE_BITS}, got ${valueBits}`)
  if (!Number.isInteger(maxClients) || maxClients < 1 || maxClients > MAX_CLIENTS)
    fail(`maxClients must be an integer in 1..${MAX_CLIENTS}, got ${maxClients}`)
  if (!(range > 0 && Number.isFinite(range)))
    fail(`range must be a positive finite number, got ${range}`)
  if (!Number.isInteger(modulusBits) || modulusBits < 2)
    fail(`modulus bit length must be an integer ≥ 2, got ${modulusBits}`)
  const headroomBits = Math.ceil(Math.log2(maxClients))
  const slotBits = valueBits + headroomBits
  if (slotBits > 53)
    fail(
      `valueBits ${valueBits} + headroom ${headroomBits} bits for ${maxClients} clients exceeds 53 (float64 exact integers)`,
    )
  const withCounter = Math.floor((modulusBits - 1 - GUARD_BITS) / slotBits)
  if (withCounter < 2)
    fail(
      `a ${modulusBits}-bit modulus leaves no room for one ${slotBits}-bit slot plus the counter and ${GUARD_BITS} guard bits`,
    )
  return {
    valueBits,
    maxClients,
    range,
    modulusBits,
    headroomBits,
    slotBits,
    slots: withCounter - 1,
    usedBits: withCounter * slotBits,
    step: (2 * range) / (2 ** valueBits - 1),
  }
}

/**
 * The worst difference between a decrypted sum of `count` updates and the exact sum of
 * the values they were quantised from: count·Δ/2 (round to nearest), plus float64
 * rounding in quantising and decoding, a few ulps of count·range (2^-48 covers it).
 */
export function packedSumErrorBound(layout: PackingLayout, count: number): number {
  return (count * layout.step) / 2 + count * layout.range * 2 ** -48
}
