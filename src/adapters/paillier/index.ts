/**
 * The paillier adapter's public surface: Paillier encryption on gmp-wasm (or BigInt): keys, encryption, decryption.
 * Code outside this folder imports from here only (test/architecture.test.ts).
 * @module
 */

export { createPaillierPublic } from './createPaillierPublic.ts'
export { createPaillierSecret } from './createPaillierSecret.ts'
export type { PaillierKeyPair } from './generatePaillierKeyPair.ts'
export { generatePaillierKeyPair } from './generatePaillierKeyPair.ts'
export type { ModularBackend } from './modularBackend.ts'
export { loadModularBackend } from './modularBackend.ts'
export { openPaillierPublicKey, paillierPublicKey } from './paillierPublicKey.ts'
