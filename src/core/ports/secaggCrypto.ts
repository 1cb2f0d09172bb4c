/**
 * The cryptographic primitives secure aggregation needs, as the pure core sees them
 * (src/core/secagg). Keys are raw bytes so that secret keys can be Shamir-shared and,
 * after a dropout, reconstructed by the server; the implementation lives in
 * src/adapters/secagg-crypto. Every key, seed and nonce it produces comes from the
 * operating system's CSPRNG.
 */

import type { SecaggIdentity } from './secaggIdentity.ts'

/** An X25519 key pair: 32-byte raw public key and 32-byte raw secret key. */
export interface SecaggKeyPair {
  readonly publicKey: Uint8Array
  readonly secretKey: Uint8Array
}

/** The secure-aggregation primitives, as one client or the server uses them (node:crypto in src/adapters/secagg-crypto). */
export interface SecaggCrypto {
  /** A fresh X25519 key pair. */
  generateKeyPair(): SecaggKeyPair
  /** The X25519 public key of a 32-byte secret key (checks a reconstructed key against the advertised one). */
  publicKeyOf(secretKey: Uint8Array): Uint8Array
  /**
   * X25519(secretKey, peerPublicKey) passed through HKDF-SHA256 with `info`: a 32-byte
   * symmetric key, the same on both sides. Throws MsflError('PROTOCOL') when the peer's
   * key is not a valid X25519 public key (e.g. a low-order point).
   */
  agree(secretKey: Uint8Array, peerPublicKey: Uint8Array, info: string): Uint8Array
  /**
   * `words` 32-bit words of pseudorandom output for a 32-byte seed (AES-256-CTR
   * keystream read as little-endian words, identical on every host).
   */
  expandMask(seed: Uint8Array, words: number): Uint32Array
  /** Authenticated encryption under a 32-byte key with a fresh random nonce. */
  seal(key: Uint8Array, plaintext: Uint8Array, associatedData: Uint8Array): Uint8Array
  /** Inverse of seal; throws MsflError('PROTOCOL') if the ciphertext or associated data was altered. */
  open(key: Uint8Array, sealed: Uint8Array, associatedData: Uint8Array): Uint8Array
  /** SHA-256 of `bytes` (the neighbour graph's seed is a digest of the signed roster). */
  hash(bytes: Uint8Array): Uint8Array
  /**
   * The long-term signing identity of owner `clientId`, as this process holds it: in
   * simulation every owner's (each its own P-256 key pair from the CSPRNG), in a
   * deployment only the process's own (its kit key). Throws MsflError('PROTOCOL') for an
   * owner whose key this process does not hold.
   */
  identityOf(clientId: string): SecaggIdentity
  /** Bytes from the CSPRNG. */
  randomBytes(length: number): Uint8Array
}
