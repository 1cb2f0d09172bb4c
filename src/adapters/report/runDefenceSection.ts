import type { RunEventDigest } from './createRunEventDigest.ts'
import { escapeHtml, lineChart } from './svgCharts.ts'

/**
 * What `--defence adrm` did, round by round: the updates it flagged (severity and the
 * detectors that fired, attackers marked), quarantined updates, blocks and unblocks,
 * rollbacks, and the reputation of every client whose reputation moved.
 */
export function runDefenceSection(p: {
  /** The defence as configured, e.g. `adrm` or `adrm:z=2.5`. */
  readonly defence: string
  /** Every round of the run, in order. */
  readonly rounds: readonly number[]
  readonly events: RunEventDigest
}): string {
  const { attackers, defenceRounds, reputations } = p.events
  const who = (id: string) =>
    attackers[id] === undefined
      ? escapeHtml(id)
      : `<span class="attacker" title="attacker: ${escapeHtml(attackers[id]!)}">${escapeHtml(id)}</span>`
  const flagged = defenceRounds.flatMap((r) => r.flagged)
  const fromAttackers = flagged.filter((f) => attackers[f.clientId] !== undefined).length
  const blocks = defenceRounds.flatMap((r) => r.blocked).length
  const rollbacks = defenceRounds.flatMap((r) => r.rollbacks).length
  const list = (items: readonly string[]) => (items.length ? items.join(', ') : '–')
  const rows = defenceRounds
    .map(
      (r) =>
        `<tr><td>${r.round}</td>` +
        `<td>${list(r.flagged.map((f) => `${who(f.clientId)} (${escapeHtml(f.severity)}: ${escapeHtml(f.detectors.join(', '))})`))}</td>` +
        `<td>${list(r.quarantined.map(who))}</td>` +
        `<td>${list(r.blocked.map((b) => `${who(b.clientId)} at ${b.reputation.toFixed(0)}${b.untilRound === undefined ? '' : `, until round ${b.untilRound}`}`))}</td>` +
        `<td>${list(r.unblocked.map(who))}</td>` +
        `<td>${list(r.rollbacks.map((b) => `to version ${b.toVersion} (${pct(b.accuracyAfter)} &lt; ${pct(b.accuracyBefore)})`))}</td></tr>`,
    )
    .join('')
  const moved = Object.keys(reputations).sort()
  const reputationAt = (id: string, round: number) => {
    const book = reputations[id]!
    let value = book.initial
    for (const [r, v] of Object.entries(book.after)) if (Number(r) <= round) value = v
    return value
  }
  const reputationRows = p.rounds
    .map(
      (round) =>
        `<tr><td>${round}</td>${moved.map((id) => `<td>${reputationAt(id, round).toFixed(0)}</td>`).join('')}</tr>`,
    )
    .join('')
  const chart = lineChart(
    moved.map((id) => ({
      name: attackers[id] === undefined ? id : `${id} (attacker)`,
      points: p.rounds.map((round) => [round, reputationAt(id, round)] as const),
    })),
    {
      title: 'Reputation after each round',
      xLabel: 'round',
      yLabel: 'reputation',
      legend: 'bottom',
    },
  )
  return `<h2>Detection (${escapeHtml(p.defence)})</h2>
<p>${flagged.length} updates flagged: ${fromAttackers} from attackers, ${flagged.length - fromAttackers} from honest owners; ${blocks} blocks, ${rollbacks} rollbacks.${defenceRounds.length < p.rounds.length ? ' Rounds not listed: no decision.' : ''}</p>
${defenceRounds.length ? `<table class="detections"><tr><th>round</th><th>flagged (severity: detectors)</th><th>quarantined</th><th>blocked (reputation)</th><th>unblocked</th><th>rollback</th></tr>${rows}</table>` : ''}
${
  moved.length
    ? `<h3>Reputation</h3><p>Clients not shown kept their starting reputation throughout.</p>
<div class="charts">${chart}</div>
<table class="reputation"><tr><th>round</th>${moved.map((id) => `<th>${who(id)}</th>`).join('')}</tr>${reputationRows}</table>`
    : '<p>No reputation changed.</p>'
}`
}

const pct = (v: number) => `${(v * 100).toFixed(2)} %`
