import type { AnyRoundRecord } from '../../core/events/runEvent.ts'
import type { RunEventDigest } from './createRunEventDigest.ts'
import { escapeHtml } from './svgCharts.ts'

export interface OwnerRow {
  readonly client: string
  readonly n: number
  readonly labelCounts: readonly number[]
}

/**
 * Mean over rounds of each owner's share of selected components (MS-FL: its payment
 * basis); empty when no round selected per component. A round an owner missed counts
 * as 0 for it, so the mean is over every round that selected anyone.
 */
export function meanSelectionShare(history: readonly AnyRoundRecord[]): Record<string, number> {
  const rounds = history.flatMap((r) =>
    'selectionShare' in r && r.selectionShare ? [r.selectionShare] : [],
  )
  const mean: Record<string, number> = {}
  for (const shares of rounds)
    for (const [client, share] of Object.entries(shares))
      mean[client] = (mean[client] ?? 0) + share / rounds.length
  return mean
}

/**
 * The data owners: size and label counts, which ones attacked (and how), each owner's
 * mean selection share and what the ledger paid it. Columns without data in this run
 * (no per-component selection, no payments) are left out rather than shown empty.
 */
export function runOwnersTable(p: {
  readonly owners: readonly OwnerRow[]
  readonly classNames: readonly string[]
  readonly history: readonly AnyRoundRecord[]
  readonly events: RunEventDigest
  /** The ledger's unit (wei on a chain). */
  readonly unit: string
}): string {
  const shares = meanSelectionShare(p.history)
  const withShares = Object.keys(shares).length > 0
  const { payouts, attackers } = p.events
  const withPay = Object.keys(payouts).length > 0
  const totalPaid = Object.values(payouts).reduce((s, a) => s + a, 0n)
  const rows = p.owners.map((o) => {
    const attack = attackers[o.client]
    const paid = payouts[o.client] ?? 0n
    const cells = [
      `<td>${escapeHtml(o.client)}</td>`,
      attack === undefined ? '<td>honest</td>' : `<td><b>attacker</b>: ${escapeHtml(attack)}</td>`,
      `<td>${o.n}</td>`,
      `<td>${o.labelCounts.join(' / ')}</td>`,
      ...(withShares
        ? [`<td>${shares[o.client] === undefined ? '–' : pct(shares[o.client]!)}</td>`]
        : []),
      ...(withPay
        ? [
            `<td>${paid.toLocaleString('en')} ${escapeHtml(p.unit)}</td>`,
            `<td>${totalPaid === 0n ? '–' : pct(Number(paid) / Number(totalPaid))}</td>`,
          ]
        : []),
    ]
    return `<tr${attack === undefined ? '' : ' class="attacker"'}>${cells.join('')}</tr>`
  })
  const header = [
    'data owner',
    'role',
    'rows',
    `rows per class (${escapeHtml(p.classNames.join(' / '))})`,
    ...(withShares ? ['selection share (mean over rounds)'] : []),
    ...(withPay ? ['paid', 'share of payouts'] : []),
  ]
  const attackerCount = Object.keys(attackers).length
  const note =
    attackerCount === 0
      ? 'No data owner attacked in this run.'
      : `${attackerCount} of ${p.owners.length} data owners attacked (highlighted).`
  return `<h2>Data owners</h2>
<p>${note}${withShares ? ' Selection share: the fraction of model components on which the owner was selected, its payment basis.' : ''}${withPay ? ` Paid: Σ of its payments over ${p.events.paidRounds} settled rounds.` : ''}</p>
<table class="owners"><tr>${header.map((h) => `<th>${h}</th>`).join('')}</tr>${rows.join('')}</table>`
}

const pct = (v: number) => `${(v * 100).toFixed(2)} %`
