import {
  kBText,
  msText,
  pct,
  type ReportRow,
  rmseText,
  variantsOf,
} from './experimentReportRows.ts'
import { escapeHtml, lineChart } from './svgCharts.ts'

/**
 * Clean runs (no attacker): the final test metrics and cost of every defence — per
 * variant when the matrix has variants (seed 004's model comparison) — and the test
 * metric after each round.
 */
export function cleanSection(clean: ReadonlyMap<string, ReportRow>): string {
  const rows = [...clean.values()]
  const regression = rows.some((r) => r.rmse !== null && r.rmse !== undefined)
  const withEpsilon = rows.some((r) => r.epsilon !== null && r.epsilon !== undefined)
  const variants = variantsOf(rows)
  const hasVariants = variants.some((v) => v !== '')
  const head = [
    ...(hasVariants ? ['variant'] : []),
    'defence',
    ...(regression ? ['RMSE'] : ['accuracy %', 'precision %', 'recall %', 'F1 %', 'AUC']),
    ...(withEpsilon ? ['ε'] : []),
    'ms / round',
    'kB / round',
  ]
  const body = variants.flatMap((variant) => {
    const group = rows.filter((r) => (r.variant ?? '') === variant)
    return group.map((r, i) => {
      const variantCell =
        hasVariants && i === 0 ? `<th rowspan="${group.length}">${escapeHtml(variant)}</th>` : ''
      const metrics = regression
        ? [rmseText(r.rmse)]
        : [pct(r.accuracy), pct(r.precision), pct(r.recall), pct(r.f1), r.auc?.toFixed(4) ?? '–']
      const cells = [
        ...metrics,
        ...(withEpsilon ? [r.epsilon?.toFixed(2) ?? '–'] : []),
        msText(r.msPerRound),
        kBText(r.bytesPerRound),
      ]
      return `<tr>${variantCell}<th>${escapeHtml(r.defence)}</th>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`
    })
  })
  const title = hasVariants
    ? 'Clean runs (no attacker): final model per variant'
    : 'Clean runs (no attacker)'
  const note = regression
    ? ''
    : '<p>Precision, recall and F1 are macro averages over classes; AUC is one-vs-rest, macro.</p>'
  return [
    `<h2>${title}</h2>${note}<table><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr>${body.join('')}</table>`,
    convergenceCharts(rows, variants, regression),
  ].join('\n')
}

/** The test metric after each round, one chart per variant. */
function convergenceCharts(
  rows: readonly ReportRow[],
  variants: readonly string[],
  regression: boolean,
): string {
  const metric = regression ? 'test RMSE' : 'test accuracy'
  const charts = variants.map((variant) =>
    lineChart(
      rows
        .filter((r) => (r.variant ?? '') === variant)
        .map((r) => ({
          name: variant ? r.defence : r.label,
          points: (regression ? r.rmseByRound : r.accuracyByRound).map(
            (v, i) => [i + 1, regression ? v : v * 100] as const,
          ),
        })),
      {
        title: `${variant || 'clean runs'}: ${metric} per round`,
        xLabel: 'round',
        yLabel: regression ? 'RMSE' : '%',
        legend: regression ? 'top' : 'bottom',
      },
    ),
  )
  return `<div class="charts">${charts.join('')}</div>`
}
