import { generatePrime } from 'node:crypto'
import { MsflError } from '../../core/errors/msflError.ts'
import type { PaillierPublicKey } from '../../core/ports/paillier.ts'
import { checkModulusBits, type KeySizeOptions, paillierPublicKey } from './paillierPublicKey.ts'

const generatePrimeAsync = (bits: number) =>
  new Promise<bigint>((resolve, reject) =>
    generatePrime(bits, { bigint: true }, (error, prime) =>
      error ? reject(error) : resolve(prime),
    ),
  )

/** The key holder's material. p and q are the secret key; never serialise them casually. */
export interface PaillierKeyPair {
  readonly publicKey: PaillierPublicKey
  readonly secretKey: { readonly p: bigint; readonly q: bigint }
}

export interface PaillierKeyOptions extends KeySizeOptions {
  /** Modulus size; 2048 by default, smaller only with `insecure: true`. */
  readonly bits?: number
}

/**
 * Two random primes of bits/2 bits each from OpenSSL's CSPRNG and prime generation
 * (node:crypto generatePrime, which sets the top two bits, so n has exactly `bits`
 * bits), p ≠ q. Equal-length primes make gcd(n, (p−1)(q−1)) = 1, which g = n + 1
 * needs; it is checked anyway. About 0.1 s for 2048 bits.
 */
export async function generatePaillierKeyPair(
  options: PaillierKeyOptions = {},
): Promise<PaillierKeyPair> {
  const bits = options.bits ?? 2048
  checkModulusBits(bits, options)
  if (bits % 2 !== 0)
    throw new MsflError('CONFIG_INVALID', `paillier key: modulus bits must be even, got ${bits}`)
  for (;;) {
    const p = await generatePrimeAsync(bits / 2)
    const q = await generatePrimeAsync(bits / 2)
    const n = p * q
    if (p === q || n.toString(2).length !== bits) continue
    if (gcd(n, (p - 1n) * (q - 1n)) !== 1n) continue
    return { publicKey: paillierPublicKey(n, options), secretKey: { p, q } }
  }
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b]
  return a
}
