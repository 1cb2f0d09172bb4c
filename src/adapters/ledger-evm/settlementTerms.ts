import { concat, encodeAbiParameters, keccak256, pad, slice, toHex } from 'viem'
import type { Hex } from './chainClient.ts'

/**
 * Everything a round was opened and committed with (the contract's `Terms`). The contract
 * stores only the first 31 bytes of keccak256(abi.encode(terms)); callers send the terms
 * as calldata and the contract checks them against that hash. The table fields are zero
 * until the table is committed.
 */
export interface SettlementTerms {
  readonly requestor: Hex
  readonly provider: Hex
  readonly deadline: bigint
  readonly ownerCount: number
  readonly components: number
  readonly deposit: bigint
  readonly price: bigint
  readonly contributions: bigint
  readonly ownersHash: Hex
  readonly tableHash: Hex
  readonly countsHash: Hex
}

export const termsAbiParameter = {
  type: 'tuple',
  components: [
    { name: 'requestor', type: 'address' },
    { name: 'provider', type: 'address' },
    { name: 'deadline', type: 'uint64' },
    { name: 'ownerCount', type: 'uint32' },
    { name: 'components', type: 'uint32' },
    { name: 'deposit', type: 'uint128' },
    { name: 'price', type: 'uint128' },
    { name: 'contributions', type: 'uint128' },
    { name: 'ownersHash', type: 'bytes32' },
    { name: 'tableHash', type: 'bytes32' },
    { name: 'countsHash', type: 'bytes32' },
  ],
} as const

/** The 31-byte hash the contract stores for a round (bytes31(keccak256(abi.encode(terms)))). */
export function hashTerms(terms: SettlementTerms): Hex {
  return slice(keccak256(encodeAbiParameters([termsAbiParameter], [terms])), 0, 31)
}

/** keccak256(abi.encodePacked(address[])): every element padded to 32 bytes. */
export function hashOwners(owners: readonly Hex[]): Hex {
  return keccak256(concat(owners.map((owner) => pad(owner))))
}

/** keccak256(abi.encodePacked(uint32[])): every element padded to 32 bytes. */
export function hashCounts(counts: readonly number[]): Hex {
  return keccak256(concat(counts.map((count) => toHex(count, { size: 32 }))))
}
