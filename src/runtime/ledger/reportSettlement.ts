import { createRunEmitter } from '../../core/events/createRunEmitter.ts'
import type { EventSink } from '../../core/events/runEvent.ts'
import type { ContributionTable, SettlementReceipt } from '../../core/ports/settlement.ts'

/**
 * The events of a settled round: each payout, then each owner's check (SPEC C2 step 6)
 * that the table read back from the ledger pays it count × price.
 */
export function reportSettlement(
  p: { readonly runId: string; readonly emit: EventSink; readonly now: () => number },
  round: number,
  ledgerRound: string,
  table: ContributionTable,
  receipt: SettlementReceipt,
  pricePerComponent: bigint,
): void {
  const event = createRunEmitter(p)
  for (const [clientId, amount] of Object.entries(receipt.payouts))
    event('payment-made', { round, clientId, amount: amount.toString() })
  const t = table.owners.length
  table.owners.forEach((clientId, i) => {
    let count = 0n
    for (let j = 0; j < table.components; j++) count += BigInt(table.selected[j * t + i]!)
    const expected = count * pricePerComponent
    const paid = receipt.payouts[clientId] ?? 0n
    event('table-verified', {
      round,
      clientId,
      ledgerRound,
      ok: paid === expected,
      ...(paid === expected
        ? {}
        : { reason: `paid ${paid}, the committed table is worth ${expected}` }),
    })
  })
}
