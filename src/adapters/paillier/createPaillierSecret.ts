import { MsflError } from '../../core/errors/msflError.ts'
import { unpackSum } from '../../core/paillier/unpackSum.ts'
import type { PaillierSecret } from '../../core/ports/paillier.ts'
import type { PaillierKeyPair } from './generatePaillierKeyPair.ts'
import { modInverse } from './modInverse.ts'
import type { ModularBackend } from './modularBackend.ts'
import { unwrapCiphertext } from './paillierHandles.ts'

/**
 * Decryption by the Chinese remainder theorem (Paillier 1999, §7): instead of one
 * exponent λ of 2048 bits mod n², two exponents p − 1 and q − 1 of 1024 bits mod p²
 * and q² (half-size moduli, half-size exponents: about 4× less work), then
 * m = m_q + q·((m_p − m_q)·q⁻¹ mod p). With g = n + 1:
 * m_p = L_p(c^(p−1) mod p²)·h_p mod p, L_p(x) = (x − 1)/p,
 * h_p = L_p((1 + n)^(p−1) mod p²)⁻¹ mod p.
 */
export function createPaillierSecret(
  keys: PaillierKeyPair,
  backend: ModularBackend,
): PaillierSecret {
  const { p, q } = keys.secretKey
  const { n, fingerprint } = keys.publicKey
  if (p * q !== n || p === q)
    throw new MsflError('CONFIG_INVALID', 'paillier secret key: p·q is not the public modulus n')
  const half = (prime: bigint) => {
    const square = prime * prime
    const exponent = prime - 1n
    const lift = (x: bigint) => (x - 1n) / prime
    // (1 + n)^(p−1) = 1 + (p − 1)·n mod p², by the binomial theorem: no exponentiation.
    const h = modInverse(lift(1n + ((exponent * n) % square)), prime)
    return (c: bigint) => (lift(backend.modPowSecret(c % square, exponent, square)) * h) % prime
  }
  const decryptP = half(p)
  const decryptQ = half(q)
  const qInverse = modInverse(q, p)
  const decryptOne = (c: bigint) => {
    const mp = decryptP(c)
    const mq = decryptQ(c)
    return mq + q * ((((((mp - mq) % p) + p) % p) * qInverse) % p)
  }
  return {
    decryptPacked(ct) {
      const data = unwrapCiphertext(ct, fingerprint)
      const plaintexts = data.ciphertexts.map(decryptOne)
      return {
        values: unpackSum(data.layout, plaintexts, data.length, data.count),
        count: data.count,
      }
    },
  }
}
