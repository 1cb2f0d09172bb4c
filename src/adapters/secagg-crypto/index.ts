/**
 * The secagg-crypto adapter's public surface: the primitives of secure aggregation on
 * node:crypto (X25519, HKDF, AES-CTR, SHA-256), the ECDSA P-256 signatures of its
 * statements, and simulation's per-owner signing keys.
 * Code outside this folder imports from here only (test/architecture.test.ts).
 * @module
 */

export type { NodeSecaggCryptoOptions } from './createNodeSecaggCrypto.ts'
export { createNodeSecaggCrypto } from './createNodeSecaggCrypto.ts'
export type { SimulatedSecaggIdentities } from './createSimulatedSecaggIdentities.ts'
export { createSimulatedSecaggIdentities } from './createSimulatedSecaggIdentities.ts'
export { p256Verifier, signP256 } from './ecdsaP256.ts'
