import type { CellResult } from '../../core/experiment/cellResult.ts'
import { meanOverSeeds, pct, type ReportRow } from './experimentReportRows.ts'
import { escapeHtml, lineChart } from './svgCharts.ts'

/** The metric an experiment is judged by: test RMSE for regression, accuracy (%) otherwise. */
export interface Headline {
  readonly title: string
  readonly pick: (r: CellResult) => number | null
  readonly format: (v: number | null) => string
  readonly scale: number
  readonly unit: string
}

/**
 * One attack: the headline metric (and the attack's own metrics) by defence and number
 * of malicious owners, as tables and charts.
 */
export function attackSection(
  attack: string,
  rows: readonly ReportRow[],
  labels: readonly string[],
  clean: ReadonlyMap<string, ReportRow>,
  headline: Headline,
): string {
  const fs = [...new Set(rows.map((r) => r.f))].sort((a, b) => a - b)
  const metric = (
    r: CellResult | undefined,
    pick: (r: CellResult) => number | null,
    format: (v: number | null) => string = pct,
  ) =>
    r === undefined
      ? '–'
      : r.status !== 'ok'
        ? `<span title="${escapeHtml(r.status)}">n/a</span>`
        : format(pick(r))
  const table = (
    title: string,
    pick: (r: CellResult) => number | null,
    format: (v: number | null) => string = pct,
  ) =>
    `<h3>${escapeHtml(title)}</h3><table><tr><th>defence</th><th>clean</th>${fs.map((f) => `<th>f = ${f}</th>`).join('')}</tr>${labels
      .map(
        (a) =>
          `<tr><th>${escapeHtml(a)}</th><td>${clean.has(a) ? format(pick(clean.get(a)!)) : '–'}</td>${fs
            .map(
              (f) =>
                `<td>${metric(meanOverSeeds(rows.filter((r) => r.label === a && r.f === f)), pick, format)}</td>`,
            )
            .join('')}</tr>`,
      )
      .join('')}</table>`
  const chart = (title: string, pick: (r: CellResult) => number | null, scale = 100, unit = '%') =>
    lineChart(
      labels.map((a) => ({
        name: a,
        points: fs.flatMap((f) => {
          const r = meanOverSeeds(rows.filter((x) => x.label === a && x.f === f))
          const v = r && r.status === 'ok' ? pick(r) : null
          return v === null ? [] : [[f, v * scale] as const]
        }),
      })),
      { title, xLabel: 'malicious data owners f', yLabel: unit },
    )
  const parts = [
    `<h2>Attack: ${escapeHtml(attack)}</h2>`,
    table(headline.title, headline.pick, headline.format),
    '<div class="charts">',
    chart(`${attack}: ${headline.title}`, headline.pick, headline.scale, headline.unit),
  ]
  if (rows.some((r) => r.attackSuccessRate !== null))
    parts.push(chart(`${attack}: attack success rate`, (r) => r.attackSuccessRate))
  if (rows.some((r) => r.flippedClassRecall !== null))
    parts.push(chart(`${attack}: flipped-class recall`, (r) => r.flippedClassRecall))
  parts.push('</div>')
  if (rows.some((r) => r.attackSuccessRate !== null))
    parts.push(table('Backdoor attack-success rate (%)', (r) => r.attackSuccessRate))
  if (rows.some((r) => r.flippedClassRecall !== null))
    parts.push(table('Recall of flipped classes (%)', (r) => r.flippedClassRecall))
  if (rows.some((r) => r.selectionShareHonest !== null)) {
    parts.push(
      table(
        'MS-FL rule: share of components selected, honest owners (%)',
        (r) => r.selectionShareHonest,
      ),
    )
    parts.push(
      table(
        'MS-FL rule: share of components selected, malicious owners (%)',
        (r) => r.selectionShareMalicious,
      ),
    )
  }
  return parts.join('\n')
}
