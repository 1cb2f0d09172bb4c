/**
 * The ledger-memory adapter's public surface: settlement in memory, with the contract's rules (tests and --ledger memory).
 * Code outside this folder imports from here only (test/architecture.test.ts).
 * @module
 */

export { createMemorySettlement } from './createMemorySettlement.ts'
