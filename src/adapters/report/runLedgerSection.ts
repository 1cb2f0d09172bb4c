import { escapeHtml } from './svgCharts.ts'

/** The money and model registry of a run's ledger, amounts in its smallest unit. */
export interface RunReportLedger {
  /** Where the ledger ran, e.g. `contract 0x… on the in-process EVM (chain 31337)`. */
  readonly where: string
  /** `wei` on a chain. */
  readonly unit: string
  /** Σ of the requestor's deposits. */
  readonly deposit: bigint
  readonly payouts: Readonly<Record<string, bigint>>
  /** Returned to the requestor. */
  readonly refund: bigint
  /** Left in escrow at the end. */
  readonly escrowBalance: bigint
  /** 0x-hex digest of the global model registered per round. */
  readonly modelDigests: Readonly<Record<number, string>>
}

/**
 * The ledger summary: deposits, payouts, refund and what is left in escrow (deposits =
 * paid + refunded + escrow), and the model digest the ledger registered per round,
 * which `msfl chain verify-model` checks a model file against.
 */
export function runLedgerSection(ledger: RunReportLedger): string {
  const paid = Object.values(ledger.payouts).reduce((s, a) => s + a, 0n)
  const amount = (v: bigint) => `${v.toLocaleString('en')} ${escapeHtml(ledger.unit)}`
  const digests = Object.entries(ledger.modelDigests)
    .map(([round, digest]) => [Number(round), digest] as const)
    .sort((a, b) => a[0] - b[0])
  const rows = digests
    .map(
      ([round, digest]) => `<tr><td>${round}</td><td><code>${escapeHtml(digest)}</code></td></tr>`,
    )
    .join('')
  return `<h2>Ledger</h2>
<p>${escapeHtml(ledger.where)}</p>
<table class="ledger">
<tr><th>deposited</th><td>${amount(ledger.deposit)}</td></tr>
<tr><th>paid to data owners</th><td>${amount(paid)}</td></tr>
<tr><th>refunded to the requestor</th><td>${amount(ledger.refund)}</td></tr>
<tr><th>left in escrow</th><td>${amount(ledger.escrowBalance)}</td></tr>
<tr><th>model hashes registered</th><td>${digests.length}</td></tr>
</table>
<details${digests.length <= 30 ? ' open' : ''}><summary>Registered model hashes${digests[0]?.[0] === 0 ? ' (round 0: the initial model)' : ''}</summary>
<table class="model-hashes"><tr><th>round</th><th>digest</th></tr>${rows}</table></details>`
}
