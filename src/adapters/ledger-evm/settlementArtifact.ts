import type { Abi } from 'viem'
import type { Hex } from './chainClient.ts'
import artifact from './msflSettlement.artifact.json' with { type: 'json' }

/**
 * The compiled MsflSettlement contract (contracts/MsflSettlement.sol, `npm run
 * build:contract`; a test recompiles it and compares the bytes).
 */
export const settlementArtifact = artifact
export const settlementAbi = artifact.abi as Abi
export const settlementBytecode = artifact.bytecode as Hex

/** Round status as the contract's `Status` enum numbers it. */
export const roundStatuses = [
  'none',
  'open',
  'funded',
  'unfunded',
  'delivered',
  'refunded',
] as const
export type RoundStatus = (typeof roundStatuses)[number]
