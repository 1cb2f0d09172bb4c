/**
 * Homomorphic encryption as the protocol sees it (CKKS: approximate arithmetic on
 * vectors of real numbers packed into `slots` slots). Capabilities are split by role
 * so that types enforce who can do what: only the model requestor ever holds an
 * `HeDecryptor`; the service provider and the data owners get an `HeEvaluator`
 * built from public material only.
 *
 * Ciphertexts are opaque handles owned by the implementation (WebAssembly memory):
 * whoever creates one must `release` it, or create it inside `scope`, which releases
 * everything created in it except the values it returns.
 */
export interface HeCiphertext {
  readonly __brand: 'HeCiphertext'
}

/** Public description of the CKKS parameters in use (no key material). */
export interface HeParameters {
  /** Preset name, e.g. `ckks-16384`. */
  readonly preset: string
  readonly polyModulusDegree: number
  /** Bit sizes of the coefficient modulus primes, first (data) to last (special). */
  readonly coeffModulusBits: readonly number[]
  /** log2 of the encoding scale. */
  readonly scaleBits: number
  /** Number of rescalings a fresh ciphertext supports. */
  readonly depth: number
  readonly slots: number
  /** Security level in bits per the HomomorphicEncryption.org standard. */
  readonly securityBits: number
}

/** Everything a party needs to compute on ciphertexts: no secret key. */
export interface HeEvaluator {
  readonly parameters: HeParameters
  /** Encrypts with the public key (values beyond `slots` are an error; shorter vectors are zero-padded). */
  encrypt(values: Float64Array): HeCiphertext
  /** Parses and validates untrusted bytes (header, size bounds, parameters, keys' context) before SEAL sees them. */
  load(bytes: Uint8Array): HeCiphertext
  /** Serialises, modulus-switched to the last level first when `compact` is true. */
  save(ct: HeCiphertext, options?: { readonly compact?: boolean }): Uint8Array
  /** Adds two ciphertexts slot by slot. */
  add(a: HeCiphertext, b: HeCiphertext): HeCiphertext
  /** Adds a plaintext vector slot by slot. */
  addPlain(a: HeCiphertext, values: Float64Array): HeCiphertext
  /** Multiplies by a plaintext vector and rescales (consumes one level). */
  multiplyPlain(a: HeCiphertext, values: Float64Array): HeCiphertext
  /** Multiplies two ciphertexts, relinearises and rescales (consumes one level). */
  multiply(a: HeCiphertext, b: HeCiphertext): HeCiphertext
  /** Cyclic left rotation by `steps` slots (needs the matching Galois key). */
  rotate(a: HeCiphertext, steps: number): HeCiphertext
  /** Remaining levels of a ciphertext. */
  levelsLeft(a: HeCiphertext): number
  /** Frees a ciphertext's memory now (the backend's heap is not garbage collected). */
  release(ct: HeCiphertext): void
  /** Runs `fn`, then releases every ciphertext created during it except those returned. */
  scope<T>(fn: () => T): T
}

/** The model requestor's extra capability. */
export interface HeDecryptor {
  /** Decrypts and decodes a ciphertext into its slot values. */
  decrypt(ct: HeCiphertext): Float64Array
  /**
   * Encrypts `values` under the secret key and serialises the result seeded: the second
   * polynomial is replaced by the seed it is expanded from, so the bytes are about half
   * those of `save(encrypt(values))`. Any evaluator of the same keys loads it. Only the
   * secret key holder can encrypt this way; it sends the model to the owners like this.
   */
  encryptSeeded(values: Float64Array): Uint8Array
}
