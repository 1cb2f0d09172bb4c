import { digestHex } from '../core/crypto/digestHex.ts'
import type { ContributionTable, Settlement } from '../core/ports/settlement.ts'

/** A ledger for one MS-FL run, as the composition root builds it (memory, in-process EVM, JSON-RPC). */
export interface MsflLedger {
  readonly kind: 'memory' | 'evm' | 'rpc'
  /** The port the requestor and the service provider settle through. */
  readonly settlement: Settlement
  /** What the ledger still holds in escrow: the contract's balance on a chain. */
  escrowBalance(): Promise<bigint>
  /** Releases the ledger (stops an in-process chain, closes RPC connections). */
  close(): Promise<void>
}

/** The money of a run, all amounts in the ledger's smallest unit (wei on a chain). */
export interface LedgerSummary {
  readonly kind: MsflLedger['kind']
  /** Σ of the requestor's deposits over all rounds. */
  readonly deposit: bigint
  readonly payouts: Readonly<Record<string, bigint>>
  /** Returned to the requestor: surplus at settlement, declined rounds and refunds after a deadline. */
  readonly refund: bigint
  /** Left in escrow after the run (0 when every round was settled or refunded). */
  readonly escrowBalance: bigint
  /** 0x-hex digest registered per protocol round. */
  readonly modelDigests: Readonly<Record<number, string>>
}

/**
 * Wraps a Settlement so the run can account for every deposit, payout and refund that
 * went through it (the summary `npm start` prints and `--json` reports).
 */
export function trackSettlement(settlement: Settlement): {
  settlement: Settlement
  totals(): Omit<LedgerSummary, 'kind' | 'escrowBalance'>
} {
  let deposit = 0n
  let refund = 0n
  const payouts: Record<string, bigint> = {}
  const digests: Record<number, string> = {}
  const tracked: Settlement = {
    pricePerComponent: settlement.pricePerComponent,
    async openRound(table: ContributionTable, amount: bigint) {
      const id = await settlement.openRound(table, amount)
      deposit += amount
      return id
    },
    table: (id) => settlement.table(id),
    status: (id) => settlement.status(id),
    isFunded: (id) => settlement.isFunded(id),
    async settle(id, digest) {
      const receipt = await settlement.settle(id, digest)
      for (const [owner, amount] of Object.entries(receipt.payouts))
        payouts[owner] = (payouts[owner] ?? 0n) + amount
      refund += receipt.refund
      return receipt
    },
    async decline(id, reason) {
      const amount = await settlement.decline(id, reason)
      refund += amount
      return amount
    },
    async refundAfterDeadline(id) {
      const amount = await settlement.refundAfterDeadline(id)
      refund += amount
      return amount
    },
    async registerModel(round, digest) {
      await settlement.registerModel(round, digest)
      digests[round] = digestHex(digest)
    },
    modelDigest: (round) => settlement.modelDigest(round),
    withdrawable: (owner) => settlement.withdrawable(owner),
    withdraw: (owner) => settlement.withdraw(owner),
  }
  return {
    settlement: tracked,
    totals: () => ({ deposit, payouts: { ...payouts }, refund, modelDigests: { ...digests } }),
  }
}

/** What a run's ledger did: the tracked deposits, payouts, refunds and digests, and its escrow now. */
export async function summariseLedger(
  ledger: MsflLedger,
  tracked: ReturnType<typeof trackSettlement>,
): Promise<LedgerSummary> {
  return { kind: ledger.kind, ...tracked.totals(), escrowBalance: await ledger.escrowBalance() }
}
