import { MsflError } from '../../core/errors/msflError.ts'
import type { LedgerAccount } from './ledgerAccounts.ts'

export type Hex = `0x${string}`

export interface ChainLog {
  readonly address: Hex
  readonly topics: readonly Hex[]
  readonly data: Hex
  readonly blockNumber: bigint
  readonly transactionHash: Hex
}

export interface ChainReceipt {
  readonly transactionHash: Hex
  readonly blockNumber: bigint
  /** Gas charged to the sender, after refunds. */
  readonly gasUsed: bigint
  /** Set when the transaction created a contract. */
  readonly contractAddress?: Hex
  readonly logs: readonly ChainLog[]
}

export interface ChainTransaction {
  /** Absent for a contract creation. */
  readonly to?: Hex
  readonly data: Hex
  readonly value?: bigint
}

/**
 * The little the ledger needs from an Ethereum chain. Two implementations: an EVM in this
 * process (createInProcessChain) and any JSON-RPC node (createRpcChain). A transaction that
 * would revert is refused with a ChainRevertError and leaves no trace on either.
 */
export interface ChainClient {
  readonly kind: 'in-process' | 'rpc'
  chainId(): Promise<number>
  /** Signs with `from` and waits until the transaction is in a block. */
  send(from: LedgerAccount, tx: ChainTransaction): Promise<ChainReceipt>
  /** A read-only call against the latest state (eth_call). */
  call(tx: { readonly to: Hex; readonly data: Hex; readonly from?: Hex }): Promise<Hex>
  /** Logs of `address` from `fromBlock` on; `topics` as in eth_getLogs (null = any). */
  getLogs(filter: {
    readonly address: Hex
    readonly fromBlock?: bigint
    readonly topics?: readonly (Hex | null)[]
  }): Promise<ChainLog[]>
  getBalance(address: Hex): Promise<bigint>
  /** The runtime bytecode at `address` (`0x` when none): a party checks a contract it did not deploy. */
  getCode(address: Hex): Promise<Hex>
  /** Timestamp of the latest block, in seconds. */
  latestTimestamp(): Promise<bigint>
  /** Development chains only: moves the clock forward (deadlines in tests). */
  increaseTime(seconds: number): Promise<void>
  /** Development chains only: sets an account's balance (funding test accounts). */
  setBalance(address: Hex, wei: bigint): Promise<void>
  close(): Promise<void>
}

/** The chain refused a transaction or call; `data` is the revert data (custom error). */
export class ChainRevertError extends MsflError {
  readonly data: Hex
  constructor(message: string, data: Hex, options?: { cause?: unknown }) {
    super('PROTOCOL', message, options)
    this.data = data
  }
}
