import { meanOverSeeds, pct, type ReportRow } from './experimentReportRows.ts'
import { escapeHtml } from './svgCharts.ts'

/**
 * ADRM's detection quality per attack and defence: precision, recall and false-positive
 * rate over every inspected update against the known attackers, with the final accuracy,
 * rollbacks and blocks. Empty when no cell ran a detection stage.
 */
export function detectionSection(rows: readonly ReportRow[]): string {
  const detected = rows.filter((r) => r.detectionRecall !== null || r.detectionPrecision !== null)
  if (detected.length === 0) return ''
  const attacks = [...new Set(detected.map((r) => r.attack))]
  const labels = [...new Set(detected.map((r) => r.label))]
  const fs = [...new Set(detected.map((r) => r.f))].sort((a, b) => a - b)
  const count = (v: number | null) => (v === null ? '–' : v.toFixed(v % 1 === 0 ? 0 : 1))
  const body = attacks
    .flatMap((attack) =>
      labels.flatMap((label) =>
        fs.flatMap((f) => {
          const r = meanOverSeeds(
            detected.filter((x) => x.attack === attack && x.label === label && x.f === f),
          )
          if (!r) return []
          const cells =
            r.status === 'ok'
              ? [
                  pct(r.detectionPrecision),
                  pct(r.detectionRecall),
                  pct(r.detectionFalsePositiveRate),
                  pct(r.accuracy),
                  count(r.rollbacks),
                  count(r.blocks),
                ]
              : [`<span title="${escapeHtml(r.status)}">n/a</span>`, '', '', '', '', '']
          return [
            `<tr><th>${escapeHtml(attack)}</th><th>${escapeHtml(label)}</th><td>${f}</td>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`,
          ]
        }),
      ),
    )
    .join('')
  return `<h2>Detection (ADRM) against the known attackers</h2>
<p>Over every inspected update: precision = flagged attackers / flagged, recall = flagged attackers / attacker updates, FPR = flagged honest / honest updates (blocked clients send nothing to inspect).</p>
<table><tr><th>attack</th><th>defence</th><th>f</th><th>precision %</th><th>recall %</th><th>FPR %</th><th>accuracy %</th><th>rollbacks</th><th>blocks</th></tr>${body}</table>`
}
