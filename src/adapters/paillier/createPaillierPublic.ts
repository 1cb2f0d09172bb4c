import { MsflError } from '../../core/errors/msflError.ts'
import {
  decodePackedCiphertexts,
  encodePackedCiphertexts,
} from '../../core/paillier/packedCiphertextFormat.ts'
import { createPackingLayout, type PackingOptions } from '../../core/paillier/packingLayout.ts'
import { packValues } from '../../core/paillier/packValues.ts'
import type {
  PaillierCiphertext,
  PaillierPublic,
  PaillierPublicKey,
} from '../../core/ports/paillier.ts'
import { createRandomizerPool } from './createRandomizerPool.ts'
import type { ModularBackend } from './modularBackend.ts'
import { unwrapCiphertext, wrapCiphertext } from './paillierHandles.ts'

/**
 * Paillier with g = n + 1 on the public key alone: what data owners encrypt with and
 * what the service provider adds with. Since (1 + n)^m = 1 + m·n mod n², encrypting m
 * with randomiser s = r^n is c = (1 + m·n)·s = s + n·(m·s mod n) mod n²: one
 * exponentiation (s, precomputable) and one half-size multiplication.
 */
export function createPaillierPublic(
  key: PaillierPublicKey,
  packing: PackingOptions,
  backend: ModularBackend,
): PaillierPublic {
  const { n, fingerprint } = key
  const n2 = n * n
  const layout = createPackingLayout(key.modulusBits, packing)
  const ciphertextBytes = Math.ceil(n2.toString(2).length / 8)
  const pool = createRandomizerPool(n, backend)
  const encryptOne = (m: bigint) => {
    const s = pool.take()
    const c = s + n * ((m * (s % n)) % n)
    return c >= n2 ? c - n2 : c
  }
  // Handles of the same key may come from an instance with another packing: refuse them
  // rather than relabel their slots with this layout.
  const own = (ct: PaillierCiphertext) => {
    const data = unwrapCiphertext(ct, fingerprint)
    for (const field of ['valueBits', 'maxClients', 'range'] as const)
      if (data.layout[field] !== layout[field])
        throw new MsflError(
          'PROTOCOL',
          `paillier: ciphertext packed with ${field} ${data.layout[field]}, this layout has ${layout[field]}`,
        )
    return data
  }
  const header = (length: number, count: number) => ({
    fingerprint,
    valueBits: layout.valueBits,
    maxClients: layout.maxClients,
    slots: layout.slots,
    range: layout.range,
    length,
    count,
    ciphertextBytes,
  })
  return {
    key,
    layout,
    backend: backend.name,
    encryptPacked(values, options) {
      const ciphertexts = packValues(layout, values, options).map(encryptOne)
      return wrapCiphertext({ fingerprint, layout, length: values.length, count: 1, ciphertexts })
    },
    load(bytes, expectedLength) {
      const { header: h, ciphertexts } = decodePackedCiphertexts(bytes, {
        fingerprint,
        layout,
        modulusSquared: n2,
        ciphertextBytes,
        ...(expectedLength === undefined ? {} : { length: expectedLength }),
      })
      // A c sharing a factor with n is no ciphertext (and would be one that factors n).
      ciphertexts.forEach((c, i) => {
        if (backend.gcd(c % n, n) !== 1n)
          throw new MsflError(
            'CODEC',
            `paillier ciphertext: ciphertext ${i} shares a factor with n (not in Z*_{n²})`,
          )
      })
      return wrapCiphertext({ fingerprint, layout, length: h.length, count: h.count, ciphertexts })
    },
    save(ct) {
      const data = own(ct)
      return encodePackedCiphertexts(header(data.length, data.count), data.ciphertexts)
    },
    add(a, b) {
      const x = own(a)
      const y = own(b)
      if (x.length !== y.length)
        throw new MsflError(
          'PROTOCOL',
          `paillier addition: updates of ${x.length} and ${y.length} values`,
        )
      const count = x.count + y.count
      if (count > layout.maxClients)
        throw new MsflError(
          'PROTOCOL',
          `paillier addition: ${count} updates exceed maxClients ${layout.maxClients}, the headroom of every slot`,
        )
      const ciphertexts = x.ciphertexts.map((c, i) => (c * y.ciphertexts[i]!) % n2)
      return wrapCiphertext({ fingerprint, layout, length: x.length, count, ciphertexts })
    },
    describe(ct) {
      const { length, count } = own(ct)
      return { length, count }
    },
    precomputeRandomness(count) {
      pool.fill(count)
    },
    get pooledRandomness() {
      return pool.size
    },
  }
}
