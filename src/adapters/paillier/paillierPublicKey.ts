import { createHash } from 'node:crypto'
import { MsflError } from '../../core/errors/msflError.ts'
import { bigintToBytes } from '../../core/paillier/bigintBytes.ts'
import { FINGERPRINT_BYTES } from '../../core/paillier/packedCiphertextFormat.ts'
import { decodePaillierPublicKey } from '../../core/paillier/publicKeyFormat.ts'
import type { PaillierPublicKey } from '../../core/ports/paillier.ts'

/** 2048-bit moduli give about 112-bit security (NIST SP 800-57 for factoring-based keys). */
export const MIN_SECURE_MODULUS_BITS = 2048
/** Even with `insecure`, smaller keys cannot hold one packed slot above the guard bits. */
const MIN_INSECURE_MODULUS_BITS = 512
const MAX_MODULUS_BITS = 8192

export interface KeySizeOptions {
  /** Accept moduli below 2048 bits (tests, benchmarks). Never for real data. */
  readonly insecure?: boolean
}

/** Refuses moduli below 2048 bits unless `insecure: true` is passed explicitly. */
export function checkModulusBits(bits: number, options: KeySizeOptions = {}): void {
  if (!Number.isInteger(bits) || bits > MAX_MODULUS_BITS)
    throw new MsflError(
      'CONFIG_INVALID',
      `paillier key: modulus bits must be an integer up to ${MAX_MODULUS_BITS}, got ${bits}`,
    )
  if (bits < MIN_INSECURE_MODULUS_BITS)
    throw new MsflError(
      'CONFIG_INVALID',
      `paillier key: a ${bits}-bit modulus is refused even with insecure (minimum ${MIN_INSECURE_MODULUS_BITS})`,
    )
  if (bits < MIN_SECURE_MODULUS_BITS && options.insecure !== true)
    throw new MsflError(
      'CONFIG_INVALID',
      `paillier key: a ${bits}-bit modulus is below the ${MIN_SECURE_MODULUS_BITS}-bit minimum (≈112-bit security); pass insecure: true only for tests`,
    )
}

/** Builds the public key data for n: checks its size and computes its fingerprint. */
export function paillierPublicKey(n: bigint, options: KeySizeOptions = {}): PaillierPublicKey {
  const modulusBits = n.toString(2).length
  checkModulusBits(modulusBits, options)
  const digest = createHash('sha256')
    .update(bigintToBytes(n, Math.ceil(modulusBits / 8)))
    .digest()
  return { n, modulusBits, fingerprint: new Uint8Array(digest.subarray(0, FINGERPRINT_BYTES)) }
}

/** Opens a public key received as bytes (`encodePaillierPublicKey`), with the size policy. */
export function openPaillierPublicKey(
  bytes: Uint8Array,
  options: KeySizeOptions = {},
): PaillierPublicKey {
  return paillierPublicKey(decodePaillierPublicKey(bytes), options)
}
