/**
 * The ledger-evm adapter's public surface: settlement on an EVM: the Solidity contract on an in-process EVM or a JSON-RPC node, its events, tables and accounts.
 * Code outside this folder imports from here only (test/architecture.test.ts).
 * @module
 */

export type { ChainClient, Hex } from './chainClient.ts'
export {
  binomial,
  packCombinatorial,
  rankSubset,
  subsetRankBits,
  uniformSelectionSize,
  unpackCombinatorial,
  unrankSubset,
} from './combinatorialTable.ts'
export { countSelections, packSelection, unpackSelection } from './contributionBitmap.ts'
export {
  decodeContributionTable,
  encodeContributionTable,
  hashContributionTable,
  TableFormat,
} from './contributionTable.ts'
export type { ChainSettlement } from './createChainSettlement.ts'
export { createChainSettlement } from './createChainSettlement.ts'
export { createEvmLedger } from './createEvmLedger.ts'
export type { MinedBlock } from './createInProcessChain.ts'
export { createInProcessChain } from './createInProcessChain.ts'
export { createRpcChain } from './createRpcChain.ts'
export { describeRevert, SettlementRevertError } from './describeRevert.ts'
export type { LedgerAccount, LedgerAddress } from './ledgerAccounts.ts'
export {
  deriveLedgerAccount,
  deriveLedgerAccounts,
  generateLedgerAccount,
  generateLedgerSeed,
} from './ledgerAccounts.ts'
export { modelDigest } from './modelDigest.ts'
export type { RecordedChain } from './openRecordedChain.ts'
export { openRecordedChain } from './openRecordedChain.ts'
export { parseAddress, parseLedgerSpec, parseRpcUrl } from './parseLedgerSpec.ts'
export type { RunLedgerRecord } from './runLedgerRecord.ts'
export { runLedgerRecordSchema } from './runLedgerRecord.ts'
export { settlementAbi, settlementArtifact, settlementBytecode } from './settlementArtifact.ts'
export type { SettlementContract } from './settlementContract.ts'
export { attachSettlementContract, deploySettlementContract } from './settlementContract.ts'
export type { SettlementEvent, SettlementEventOf } from './settlementEvents.ts'
export { decodeSettlementLogs } from './settlementEvents.ts'
export type { SettlementTotals } from './settlementTotals.ts'
export { settlementTotals } from './settlementTotals.ts'
export { verifyCommittedTable, verifyTableCommittedEvent } from './verifyCommittedTable.ts'
