import type { PackingLayout } from '../paillier/packingLayout.ts'
import type { PackOptions } from '../paillier/packValues.ts'

/**
 * Paillier encryption of packed model updates as the protocol sees it: many
 * fixed-point values per plaintext, homomorphic addition only. Capabilities are split by
 * role so that types enforce who can do what: data owners and the service provider get
 * a `PaillierPublic` built from the public key; only the key holder also has a
 * `PaillierSecret`.
 *
 * Ciphertexts are opaque handles of the implementation. They travel between parties as
 * bytes (`save` / `load`); `load` validates untrusted bytes before any arithmetic.
 */
export interface PaillierCiphertext {
  readonly __brand: 'PaillierCiphertext'
}

/** The public key as data: n (g = n + 1 is implied) and what names it on the wire. */
export interface PaillierPublicKey {
  readonly n: bigint
  readonly modulusBits: number
  /** First 16 bytes of SHA-256 over n: carried by every ciphertext. */
  readonly fingerprint: Uint8Array
}

/** What a ciphertext holds: the update length and how many updates it sums. */
export interface PackedInfo {
  readonly length: number
  readonly count: number
}

/** Everything a party can do with the public key only. */
export interface PaillierPublic {
  readonly key: PaillierPublicKey
  readonly layout: PackingLayout
  /** The modular exponentiation backend in use, e.g. `gmp-wasm` or `bigint`. */
  readonly backend: string
  /**
   * Quantises, packs and encrypts one client's update (count 1). Takes precomputed
   * randomness from the pool first, computes fresh randomness when it is empty.
   */
  encryptPacked(values: Float64Array, options?: PackOptions): PaillierCiphertext
  /**
   * Parses and validates untrusted bytes: header, key fingerprint, packing parameters,
   * length (when `expectedLength` is given) and every ciphertext in Z*_{n²}.
   */
  load(bytes: Uint8Array, expectedLength?: number): PaillierCiphertext
  save(ct: PaillierCiphertext): Uint8Array
  /**
   * Homomorphic addition (ciphertext products mod n²): encrypts the sum of both sums.
   * Refused when the counts would exceed maxClients, since slots could then carry.
   */
  add(a: PaillierCiphertext, b: PaillierCiphertext): PaillierCiphertext
  describe(ct: PaillierCiphertext): PackedInfo
  /**
   * Computes `count` randomisers r^n mod n² ahead of time (the offline phase), so that
   * encryption later costs one multiplication per ciphertext. Each is used once.
   */
  precomputeRandomness(count: number): void
  /** Randomisers precomputed and not yet used. */
  readonly pooledRandomness: number
}

/** The key holder's extra capability. */
export interface PaillierSecret {
  /**
   * Decrypts a packed sum (CRT) and decodes it: `values` is the sum of the `count`
   * updates' values, within packedSumErrorBound. Detects garbled plaintexts (tampered
   * bytes, another key) by their guard bits, counter and slot ranges.
   */
  decryptPacked(ct: PaillierCiphertext): { readonly values: Float64Array; readonly count: number }
}
