import { MsflError } from '../../core/errors/msflError.ts'
import { createBigintBackend } from './createBigintBackend.ts'
import { loadGmpBackend } from './loadGmpBackend.ts'

/**
 * The big-integer operations Paillier spends its time in, behind one interface so the
 * benchmark can compare implementations and the scheme can use the fastest.
 */
export interface ModularBackend {
  readonly name: ModularBackendName
  /** base^exponent mod modulus for a public exponent (encryption's r^n): variable time. */
  modPow(base: bigint, exponent: bigint, modulus: bigint): bigint
  /**
   * The same for a secret exponent (decryption's p − 1, q − 1), on attacker-chosen bases:
   * constant time where the backend has it (GMP's mpz_powm_sec), since timing of CRT
   * exponentiations has leaked RSA factors remotely (Brumley and Boneh, 2003).
   */
  modPowSecret(base: bigint, exponent: bigint, modulus: bigint): bigint
  gcd(a: bigint, b: bigint): bigint
}

export type ModularBackendName = 'gmp-wasm' | 'bigint'

/**
 * `gmp-wasm` (GMP 6 compiled to WebAssembly) is the default: measured faster than JS
 * BigInt for 2048-bit Paillier and the only one of the two with constant-time
 * exponentiation. `bigint` needs no WebAssembly.
 */
export async function loadModularBackend(
  name: ModularBackendName = 'gmp-wasm',
): Promise<ModularBackend> {
  if (name === 'gmp-wasm') return loadGmpBackend()
  if (name === 'bigint') return createBigintBackend()
  throw new MsflError(
    'CONFIG_INVALID',
    `paillier backend: unknown '${name as string}' (valid: gmp-wasm, bigint)`,
  )
}
