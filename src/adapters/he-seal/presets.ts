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
 * secret) under the HE standard; the scale is 2^40 so values carry about 20 bits of
 * integer part in the first (60-bit) prime, and every rescale drops one 40-bit prime.
 *
 * - `ckks-8192`: N = 8192, primes 60 + 40 + 40 + 60 = 200 bits (bound 218), depth 2,
 *   4096 slots. Enough for encrypting updates and aggregating them with one or two
 *   plaintext multiplications.
 * - `ckks-16384`: N = 16384, primes 60 + 5·40 + 60 = 320 bits (bound 438), depth 5,
 *   8192 slots. The encrypted logistic-regression gradient needs depth 4, leaving one
 *   level for the service provider's masking.
 *
 * The last prime is the special prime used only for key switching; it is never a level.
 */
export const HE_PRESETS: Readonly<Record<string, HeParameters>> = Object.freeze({
  'ckks-8192': preset('ckks-8192', 8192, [60, 40, 40, 60], 40),
  'ckks-16384': preset('ckks-16384', 16384, [60, 40, 40, 40, 40, 40, 60], 40),
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
