import { meanOverSeeds, type ReportRow } from './experimentReportRows.ts'
import { lineChart } from './svgCharts.ts'

/**
 * The privacy budget spent, ε after each round (δ as configured), of every run with
 * sample-level DP, averaged over seeds. Empty when no run used DP.
 */
export function epsilonSection(rows: readonly ReportRow[]): string {
  const withDp = rows.filter((r) => r.status === 'ok' && r.epsilonByRound?.length > 0)
  if (withDp.length === 0) return ''
  const labels = [...new Set(withDp.map((r) => r.label))]
  const series = labels.map((label) => {
    const r = meanOverSeeds(withDp.filter((x) => x.label === label))!
    return { name: label, points: r.epsilonByRound.map((e, i) => [i + 1, e] as const) }
  })
  return `<h2>Privacy budget</h2><div class="charts">${lineChart(series, {
    title: 'ε per round (cumulative)',
    xLabel: 'round',
    yLabel: 'ε',
    legend: 'bottom',
  })}</div>`
}
