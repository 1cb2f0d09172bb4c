import { MsflError } from '../../core/errors/msflError.ts'
import type { HeParameters } from '../../core/ports/he.ts'

/**
 * Largest total coefficient-modulus size (bits) for 128-bit classical security with a
 * ternary secret, per the HomomorphicEncryption.org standard (Albrecht et al., 2018,
 * table 1), which is also what SEAL enforces for `sec_level_type::tc128`. Presets must
 * include the special (key-switching) prime in this total.
 */
const HE_STANDARD_MAX_BITS_128: Readonly<Record<number, number>> = {
  1024: 27,
  2048: 54,
  4096: 109,
  8192: 218,
  16384: 438,
  32768: 881,
}

/** The bound above for a ring dimension, or an error for dimensions the standard does not list. */
export function heStandardMaxBits(polyModulusDegree: number): number {
  const bound = HE_STANDARD_MAX_BITS_128[polyModulusDegree]
  if (bound === undefined)
    throw new MsflError(
      'CONFIG_INVALID',
      `no 128-bit HE-standard bound for poly modulus degree ${polyModulusDegree}`,
    )
  return bound
}

function preset(
  name: string,
  polyModulusDegree: number,
  coeffModulusBits: readonly number[],
  scaleBits: number,
): HeParameters {
  const total = coeffModulusBits.reduce((a, b) => a + b, 0)
  const bound = heStandardMaxBits(polyModulusDegree)
  if (total > bound)
    throw new MsflError(
      'CONFIG_INVALID',
      `preset ${name}: ${total} coefficient-modulus bits exceed the 128-bit bound of ${bound} for N = ${polyModulusDegree}`,
    )
  // Every middle prime is dropped by one rescale, so it must match the scale; the first
  // prime holds the final result and must leave room above the scale for its integer part.
  const middle = coeffModulusBits.slice(1, -1)
  if (middle.some((bits) => bits !== scaleBits) || coeffModulusBits[0]! <= scaleBits)
    throw new MsflError(
      'CONFIG_INVALID',
      `preset ${name}: rescaling primes must have ${scaleBits} bits and the first prime more`,
    )
  return Object.freeze({
    preset: name,
    polyModulusDegree,
    coeffModulusBits: Object.freeze([...coeffModulusBits]),
    scaleBits,
    depth: middle.length,
    slots: polyModulusDegree / 2,
    securityBits: 128,
  })
}

/**
 * The CKKS parameter sets msfl supports. All are 128-bit secure (classical, ternary
 * secret) under the HE standard; every rescale drops one prime of the scale's size,
 * and values carry (60 − scale bits) bits of integer part in the first (60-bit) prime.
 *
 * - `ckks-8192`: N = 8192, primes 60 + 40 + 40 + 60 = 200 bits (bound 218), depth 2,
 *   4096 slots. Enough for encrypting updates and aggregating them with one or two
 *   plaintext multiplications.
 * - `ckks-16384`: N = 16384, primes 60 + 5·50 + 60 = 370 bits (bound 438), scale 2^50,
 *   depth 5, 8192 slots. The encrypted logistic-regression gradient needs depth 4,
 *   leaving one level for the service provider's masking. 50-bit primes because the
 *   ciphertext-ciphertext multiply declares its scale 2^scaleBits although it is
 *   2^(2·scaleBits)/q: with 40-bit primes that mismatch (~2e-6 relative) pushed the
 *   aggregate's error past 1e-4 of its magnitude late in training (measured 2.8e-4 on
 *   Adult); with 50-bit primes it is ~1000× smaller. Values keep 9 bits of integer
 *   part at the last level, plenty for gradients, masks and weights.
 *
 * The last prime is the special prime used only for key switching; it is never a level.
 */
export const HE_PRESETS: Readonly<Record<string, HeParameters>> = Object.freeze({
  'ckks-8192': preset('ckks-8192', 8192, [60, 40, 40, 60], 40),
  'ckks-16384': preset('ckks-16384', 16384, [60, 50, 50, 50, 50, 50, 60], 50),
})

/** The preset of that name, or CONFIG_INVALID listing the known ones. */
export function resolvePreset(name: string): HeParameters {
  const found = Object.hasOwn(HE_PRESETS, name) ? HE_PRESETS[name] : undefined
  if (!found)
    throw new MsflError(
      'CONFIG_INVALID',
      `unknown HE preset '${name}' (known: ${Object.keys(HE_PRESETS).join(', ')})`,
    )
  return found
}
