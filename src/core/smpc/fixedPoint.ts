import { MsflError } from '../errors/msflError.ts'
import { type RingVector, ringCount, ringGetSignedNumber, ringZeros } from './ring64.ts'

/**
 * Fixed-point numbers in Z_2^64: a real x is stored as the integer round(x·2^f)
 * (half-way cases round up, as Math.round does), negative values in two's complement.
 * Weights and validation features both use scale 2^f, so a logit x·w + b·2^f carries
 * scale 2^(2f). Verification only tests signs of logit differences, which the scale
 * does not change, so no truncation (the costly step of fixed-point MPC) is ever needed.
 *
 * Encoding saturates at ±2^62: a value that large, NaN or ±∞ can never pass the
 * verifiers' parameter range check (see weightBoundBits.ts), so a broken model is
 * excluded rather than silently wrapped around the ring.
 */
export const DEFAULT_FRACTION_BITS = 16

const TWO_32 = 4294967296
const SATURATION = 2 ** 62

export function checkFractionBits(fractionBits: number): void {
  if (!Number.isInteger(fractionBits) || fractionBits < 4 || fractionBits > 24)
    throw new MsflError(
      'CONFIG_INVALID',
      `fixed-point fraction bits must be an integer in 4..24, got ${fractionBits}`,
    )
}

function checkScale(fractionBits: number): void {
  if (!Number.isInteger(fractionBits) || fractionBits < 0 || fractionBits > 30)
    throw new MsflError('CONFIG_INVALID', `fixed-point scale 2^${fractionBits} is not supported`)
}

/** round(x·2^f) as a double-precision integer, saturated to ±2^62 (NaN → +2^62). */
export function fixedPointInteger(x: number, fractionBits: number): number {
  const scaled = Math.round(x * 2 ** fractionBits)
  if (Number.isNaN(scaled) || scaled >= SATURATION) return SATURATION
  if (scaled <= -SATURATION) return -SATURATION
  return scaled
}

/** round(x·2^f) of every value, as exact integers in doubles (for public data). */
export function fixedPointIntegers(values: ArrayLike<number>, fractionBits: number): Float64Array {
  checkScale(fractionBits)
  const scale = 2 ** fractionBits
  const out = new Float64Array(values.length)
  // Inlined fixedPointInteger: this runs over whole validation sets.
  for (let i = 0; i < values.length; i++) {
    const scaled = Math.round(values[i]! * scale)
    out[i] = Number.isNaN(scaled) ? SATURATION : Math.min(Math.max(scaled, -SATURATION), SATURATION)
  }
  return out
}

/** Encodes every value at scale 2^f into a new ring vector (f = 0 encodes integers such as labels). */
export function encodeFixedPoint(values: ArrayLike<number>, fractionBits: number): RingVector {
  checkScale(fractionBits)
  const out = ringZeros(values.length)
  for (let i = 0; i < values.length; i++) {
    const v = fixedPointInteger(values[i]!, fractionBits)
    // Every double ≥ 2^53 is an integer and dividing by 2^32 is exact, so the limbs
    // are exact for all |v| ≤ 2^62.
    const hi = Math.floor(v / TWO_32)
    out[2 * i] = v - hi * TWO_32
    out[2 * i + 1] = hi
  }
  return out
}

/**
 * Reads every element as a signed integer and divides by 2^f·divisor (the divisor
 * lets FedAvg divide the opened weighted sum by the total example count in one step).
 */
export function decodeFixedPoint(v: RingVector, fractionBits: number, divisor = 1): Float64Array {
  checkScale(fractionBits)
  const scale = 2 ** fractionBits * divisor
  const out = new Float64Array(ringCount(v))
  for (let i = 0; i < out.length; i++) out[i] = ringGetSignedNumber(v, i) / scale
  return out
}
