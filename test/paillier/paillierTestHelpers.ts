import { PrivateKey, PublicKey } from 'paillier-bigint'
import type { PaillierKeyPair } from '../../src/adapters/paillier/index.ts'
import { PACKED_HEADER_BYTES } from '../../src/core/paillier/packedCiphertextFormat.ts'

/**
 * The same key in paillier-bigint (an independent implementation, g = n + 1), so tests
 * can check msfl's ciphertexts against textbook decryption and recover the randomness r
 * each one used.
 */
export function referencePrivateKey(keys: PaillierKeyPair): PrivateKey {
  const { p, q } = keys.secretKey
  const n = keys.publicKey.n
  const phi = (p - 1n) * (q - 1n)
  return new PrivateKey(phi, inverse(phi, n), new PublicKey(n, n + 1n), p, q)
}

/** The raw ciphertexts in saved bytes (header already validated by the caller's load). */
export function rawCiphertexts(bytes: Uint8Array, ciphertextBytes: number): bigint[] {
  const out: bigint[] = []
  for (let at = PACKED_HEADER_BYTES; at < bytes.length; at += ciphertextBytes)
    out.push(BigInt(`0x${Buffer.from(bytes.subarray(at, at + ciphertextBytes)).toString('hex')}`))
  return out
}

/** Writes raw ciphertexts back over saved bytes. */
export function withCiphertexts(bytes: Uint8Array, cts: bigint[], ciphertextBytes: number) {
  const out = bytes.slice()
  cts.forEach((c, i) => {
    const hex = c.toString(16).padStart(ciphertextBytes * 2, '0')
    out.set(Buffer.from(hex, 'hex'), PACKED_HEADER_BYTES + i * ciphertextBytes)
  })
  return out
}

function inverse(a: bigint, m: bigint): bigint {
  let [r0, r1, s0, s1] = [a % m, m, 1n, 0n]
  while (r1 !== 0n) {
    const q = r0 / r1
    ;[r0, r1, s0, s1] = [r1, r0 - q * r1, s1, s0 - q * s1]
  }
  return ((s0 % m) + m) % m
}
