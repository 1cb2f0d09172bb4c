import { kBText, msText, type ReportRow } from './experimentReportRows.ts'
import { escapeHtml } from './svgCharts.ts'

/**
 * What protecting the updates costs: each protected clean run against the plain run of
 * the same variant, rule and owner count — time and bytes per round and their ratio,
 * and the change in the final metric (encryption should leave it unchanged).
 * Empty when no protected run has a plain reference.
 */
export function overheadTable(clean: ReadonlyMap<string, ReportRow>): string {
  const rows = [...clean.values()]
  const regression = rows.some((r) => r.rmse !== null && r.rmse !== undefined)
  const pairs = rows.flatMap((r) => {
    if (r.privacy === 'none' || r.status !== 'ok') return []
    const plain = rows.find(
      (x) =>
        x.privacy === 'none' &&
        x.status === 'ok' &&
        (x.variant ?? '') === (r.variant ?? '') &&
        x.aggregator === r.aggregator &&
        x.clients === r.clients,
    )
    return plain ? [{ plain, protectedRun: r }] : []
  })
  if (pairs.length === 0) return ''
  const hasVariants = pairs.some((p) => p.plain.variant)
  const ratio = (a: number | null, b: number | null) =>
    a === null || b === null || a <= 0 ? '–' : `${(b / a).toFixed(1)}×`
  const change = (a: number | null, b: number | null) =>
    a === null || b === null
      ? '–'
      : regression
        ? (b - a).toExponential(2)
        : `${(b - a) * 100 >= 0 ? '+' : ''}${((b - a) * 100).toFixed(2)}`
  const head = [
    ...(hasVariants ? ['variant'] : []),
    'protection',
    'ms / round plain',
    'ms / round protected',
    'time ×',
    'kB / round plain',
    'kB / round protected',
    'bytes ×',
    regression ? 'Δ RMSE' : 'Δ accuracy (points)',
  ]
  const body = pairs.map(({ plain, protectedRun: p }) => {
    const cells = [
      msText(plain.msPerRound),
      msText(p.msPerRound),
      ratio(plain.msPerRound, p.msPerRound),
      kBText(plain.bytesPerRound),
      kBText(p.bytesPerRound),
      ratio(plain.bytesPerRound, p.bytesPerRound),
      regression ? change(plain.rmse, p.rmse) : change(plain.accuracy, p.accuracy),
    ]
    const names = [...(hasVariants ? [p.variant ?? ''] : []), p.defence]
    return `<tr>${names.map((n) => `<th>${escapeHtml(n)}</th>`).join('')}${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`
  })
  return `<h2>Protection overhead (clean runs)</h2><table><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr>${body.join('')}</table>`
}
