import type { CellResult } from '../../core/experiment/cellResult.ts'
import { escapeHtml, lineChart } from './svgCharts.ts'

export interface ExperimentReportInput {
  readonly name: string
  readonly matrix: unknown
  readonly results: readonly CellResult[]
  readonly environment: Readonly<Record<string, string>>
}

const pct = (v: number | null) => (v === null ? '–' : `${(v * 100).toFixed(2)}`)
const rmseText = (v: number | null) => (v === null ? '–' : v.toPrecision(5))

/** Self-contained HTML: per attack, accuracy (and attack metrics) by defence and malicious share. */
export function renderExperimentReport(input: ExperimentReportInput): string {
  // A protected run (and, when the matrix varies it, each owner count) is its own row.
  const manyClients = new Set(input.results.map((r) => r.clients)).size > 1
  const results = input.results.map((r) => ({
    ...r,
    aggregator: `${r.aggregator}${r.privacy && r.privacy !== 'none' ? ` + ${r.privacy}` : ''}${manyClients ? `, n = ${r.clients}` : ''}`,
  }))
  const withEpsilon = results.some((r) => r.epsilon !== null && r.epsilon !== undefined)
  const regression = results.some((r) => r.rmse !== null && r.rmse !== undefined)
  // The headline metric: test RMSE for regression, accuracy (%) otherwise.
  const headline = regression
    ? { title: 'Test RMSE', pick: (r: CellResult) => r.rmse, format: rmseText, scale: 1, unit: '' }
    : {
        title: 'Test accuracy (%)',
        pick: (r: CellResult) => r.accuracy,
        format: pct,
        scale: 100,
        unit: '%',
      }
  const aggregators = [...new Set(results.map((r) => r.aggregator))]
  const attacks = [...new Set(results.map((r) => r.attack))].filter((a) => a !== 'none')
  const clean = new Map(
    aggregators.flatMap((a) => {
      const r = mean(results.filter((x) => x.attack === 'none' && x.aggregator === a))
      return r ? [[a, r] as const] : []
    }),
  )
  const sections: string[] = []

  if (clean.size > 0) {
    const head = regression ? '<th>RMSE</th>' : '<th>accuracy %</th><th>macro-F1</th>'
    sections.push(
      `<h2>Clean runs (no attacker)</h2><table><tr><th>defence</th>${head}${withEpsilon ? '<th>ε</th>' : ''}<th>ms / round</th><th>kB / round</th></tr>${aggregators
        .map((a) => {
          const r = clean.get(a)
          const main = regression
            ? `<td>${rmseText(r?.rmse ?? null)}</td>`
            : `<td>${r ? pct(r.accuracy) : '–'}</td><td>${r?.f1?.toFixed(4) ?? '–'}</td>`
          const epsilon = withEpsilon ? `<td>${r?.epsilon?.toFixed(2) ?? '–'}</td>` : ''
          const cost = `<td>${r?.msPerRound?.toFixed(0) ?? '–'}</td><td>${r?.bytesPerRound === null || r?.bytesPerRound === undefined ? '–' : (r.bytesPerRound / 1000).toFixed(1)}</td>`
          return `<tr><th>${escapeHtml(a)}</th>${main}${epsilon}${cost}</tr>`
        })
        .join('')}</table>`,
    )
    if (regression)
      sections.push(
        `<div class="charts">${lineChart(
          [...clean].map(([a, r]) => ({
            name: a,
            points: r.rmseByRound.map((v, i) => [i + 1, v] as const),
          })),
          { title: 'clean runs: test RMSE per round', xLabel: 'round', yLabel: 'RMSE' },
        )}</div>`,
      )
  }
  for (const attack of attacks) {
    const rows = results.filter((r) => r.attack === attack)
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
      `<h3>${escapeHtml(title)}</h3><table><tr><th>defence</th><th>clean</th>${fs.map((f) => `<th>f = ${f}</th>`).join('')}</tr>${aggregators
        .map(
          (a) =>
            `<tr><th>${escapeHtml(a)}</th><td>${clean.has(a) ? format(pick(clean.get(a)!)) : '–'}</td>${fs
              .map(
                (f) =>
                  `<td>${metric(mean(rows.filter((r) => r.aggregator === a && r.f === f)), pick, format)}</td>`,
              )
              .join('')}</tr>`,
        )
        .join('')}</table>`
    const chart = (
      title: string,
      pick: (r: CellResult) => number | null,
      scale = 100,
      unit = '%',
    ) =>
      lineChart(
        aggregators.map((a) => ({
          name: a,
          points: fs.flatMap((f) => {
            const r = mean(rows.filter((x) => x.aggregator === a && x.f === f))
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
    sections.push(parts.join('\n'))
  }
  const skipped = results.filter((r) => r.status !== 'ok')
  if (skipped.length > 0)
    sections.push(
      `<h2>Cells that did not run</h2><ul>${skipped.map((r) => `<li>${escapeHtml(`${r.aggregator} × ${r.attack} × f=${r.f}: ${r.status}`)}</li>`).join('')}</ul>`,
    )
  const env = Object.entries(input.environment)
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join('')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(input.name)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;max-width:1300px;color:#222}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border:1px solid #ddd;padding:4px 8px;text-align:right}
th{background:#f5f5f5}.charts{display:flex;flex-wrap:wrap;gap:1rem}pre{background:#f7f7f7;padding:1rem;overflow:auto}
</style></head><body>
<h1>Experiment: ${escapeHtml(input.name)}</h1>
<p>${results.length} runs. Values are the final round's test metrics (mean over seeds). “n/a” cells could not run; hover for the reason.</p>
${sections.join('\n')}
<h2>Matrix</h2><pre>${escapeHtml(JSON.stringify(input.matrix, null, 2))}</pre>
<h2>Environment</h2><table>${env}</table>
</body></html>
`
}

/** Mean of the numeric metrics over seeds; the first non-ok status wins. */
function mean(rows: readonly CellResult[]): CellResult | undefined {
  if (rows.length === 0) return undefined
  const bad = rows.find((r) => r.status !== 'ok')
  if (bad) return bad
  const avg = (pick: (r: CellResult) => number | null) => {
    const values = rows.map(pick).filter((v): v is number => v !== null)
    return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null
  }
  return {
    ...rows[0]!,
    accuracy: avg((r) => r.accuracy),
    rmse: avg((r) => r.rmse),
    epsilon: avg((r) => r.epsilon),
    msPerRound: avg((r) => r.msPerRound),
    bytesPerRound: avg((r) => r.bytesPerRound),
    f1: avg((r) => r.f1),
    loss: avg((r) => r.loss),
    attackSuccessRate: avg((r) => r.attackSuccessRate),
    flippedClassRecall: avg((r) => r.flippedClassRecall),
    selectionShareHonest: avg((r) => r.selectionShareHonest),
    selectionShareMalicious: avg((r) => r.selectionShareMalicious),
  }
}
