/**
 * The secagg-crypto adapter's public surface: the primitives of secure aggregation on node:crypto (X25519, HKDF, AES-CTR).
 * Code outside this folder imports from here only (test/architecture.test.ts).
 * @module
 */

export { createNodeSecaggCrypto } from './createNodeSecaggCrypto.ts'
