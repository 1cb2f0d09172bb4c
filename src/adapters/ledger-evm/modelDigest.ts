import { keccak256 } from 'viem'

/** keccak256, the digest the contract's model registry stores. */
export const modelDigest = (bytes: Uint8Array): Uint8Array =>
  keccak256(bytes, 'bytes') as Uint8Array
