import type { ChainClient, Hex } from './chainClient.ts'
import { decodeSettlementLogs } from './settlementEvents.ts'

/** What a settlement contract's event log says about the money that went through it (wei). */
export interface SettlementTotals {
  /** Σ of the deposits rounds were opened with. */
  readonly deposit: bigint
  /** Per account (lower-case address): paid at delivery or credited for withdraw. */
  readonly payouts: Readonly<Record<string, bigint>>
  /** Returned to requestors: surplus at delivery, declined rounds, refunds after a deadline. */
  readonly refund: bigint
  /** Still held by the contract. */
  readonly balance: bigint
}

/**
 * Reads every event of the contract at `address` from `fromBlock` on and adds up its
 * deposits, payouts and refunds: any party can check deposit = payouts + refund + balance
 * from the chain alone, without trusting another party's report.
 */
export async function settlementTotals(
  chain: ChainClient,
  address: Hex,
  fromBlock: bigint,
): Promise<SettlementTotals> {
  const events = decodeSettlementLogs(await chain.getLogs({ address, fromBlock }))
  let deposit = 0n
  let refund = 0n
  const payouts: Record<string, bigint> = {}
  for (const event of events) {
    if (event.name === 'RoundOpened') deposit += event.deposit
    else if (event.name === 'Refunded') refund += event.amount
    else if (event.name === 'Paid' || event.name === 'PaymentDeferred') {
      const account = event.account.toLowerCase()
      payouts[account] = (payouts[account] ?? 0n) + event.amount
    }
  }
  return { deposit, payouts, refund, balance: await chain.getBalance(address) }
}
