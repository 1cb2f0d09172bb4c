import type { RunLedgerRecord } from '../../adapters/ledger-evm/index.ts'
import type { RunReportLedger } from '../../adapters/report/index.ts'
import type { LedgerSummary } from '../../runtime/msflLedger.ts'

/** The `ledger` part of an MS-FL run's --json summary: amounts as decimal strings (wei on a chain). */
export function ledgerJson(summary: LedgerSummary, record: RunLedgerRecord | undefined) {
  return {
    kind: summary.kind,
    ...(record && record.kind !== 'memory'
      ? { chain_id: record.chainId, contract: record.contract }
      : {}),
    deposit: summary.deposit.toString(),
    payouts: Object.fromEntries(
      Object.entries(summary.payouts).map(([owner, amount]) => [owner, amount.toString()]),
    ),
    refund: summary.refund.toString(),
    contract_balance: summary.escrowBalance.toString(),
    model_hashes: summary.modelDigests,
  }
}

/** The ledger's smallest unit: wei on a chain. */
const unitOf = (summary: LedgerSummary) => (summary.kind === 'memory' ? 'units' : 'wei')

/** Where the run settled: the contract and chain, or the in-memory ledger. */
function ledgerLocation(summary: LedgerSummary, record: RunLedgerRecord | undefined): string {
  return record && record.kind !== 'memory'
    ? `contract ${record.contract} on ${summary.kind === 'evm' ? 'the in-process EVM' : 'the JSON-RPC node'} (chain ${record.chainId})`
    : 'the in-memory ledger'
}

/** The ledger part of a run's report.html. */
export function reportLedger(
  summary: LedgerSummary,
  record: RunLedgerRecord | undefined,
): RunReportLedger {
  return { ...summary, where: ledgerLocation(summary, record), unit: unitOf(summary) }
}

/** Lines `npm start` ends with: what each data owner was paid and what the contract still holds. */
export function formatLedger(summary: LedgerSummary, record: RunLedgerRecord | undefined): string {
  const unit = unitOf(summary)
  const where = ledgerLocation(summary, record)
  const width = Math.max(...Object.keys(summary.payouts).map((o) => o.length), 8)
  const lines = [
    `ledger: ${where}`,
    `  deposits ${summary.deposit} ${unit}, refunded ${summary.refund} ${unit}, ${Object.keys(summary.modelDigests).length} model hashes registered`,
    ...Object.entries(summary.payouts).map(
      ([owner, amount]) => `  paid ${owner.padEnd(width)} ${amount} ${unit}`,
    ),
    `  contract balance at the end: ${summary.escrowBalance} ${unit}`,
  ]
  return `${lines.join('\n')}\n`
}
