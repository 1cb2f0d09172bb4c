import { labelRows, meanOverSeeds, type ReportRow } from '../../adapters/report/index.ts'
import type { CellResult } from '../../core/experiment/cellResult.ts'
import { taskMetric } from './taskMetric.ts'

/**
 * What an experiment ends with on the console: per defence (and variant), its task's
 * metric on clean data and the attack that hurt it most, each averaged over seeds.
 * A regression is judged by test RMSE (higher is worse), a classification by test
 * accuracy (lower is worse). Cells that did not run are counted, not hidden.
 */
export function experimentSummary(results: readonly CellResult[]): string {
  const rows = labelRows(results)
  const regression = rows.some((r) => r.rmse !== null)
  const value = (r: ReportRow) => (regression ? r.rmse : r.accuracy)
  const worse = (a: number, b: number) => (regression ? a > b : a < b)
  const labels = [...new Set(rows.map((r) => r.label))]
  const width = Math.max(...labels.map((l) => l.length))
  const lines = labels.map((label) => {
    const mine = rows.filter((r) => r.label === label)
    const clean = meanOverSeeds(mine.filter((r) => r.attack === 'none'))
    let worst: ReportRow | undefined
    for (const key of new Set(mine.filter((r) => r.attack !== 'none').map(attackKey))) {
      const mean = meanOverSeeds(mine.filter((r) => attackKey(r) === key))
      const v = mean?.status === 'ok' ? value(mean) : null
      const w = worst ? value(worst) : null
      if (v !== null && (w === null || worse(v, w))) worst = mean
    }
    const skipped = mine.filter((r) => r.status !== 'ok').length
    const parts = [
      clean ? `clean ${clean.status === 'ok' ? taskMetric(clean).text : 'n/a'}` : undefined,
      worst
        ? `worst under attack ${taskMetric(worst).text} (${worst.attack}, f=${worst.f})`
        : undefined,
      skipped > 0 ? `${skipped} of ${mine.length} cells did not run` : undefined,
    ].filter((p) => p !== undefined)
    return `  ${label.padEnd(width)}  ${parts.join('  ')}`
  })
  const metric = regression ? 'final test RMSE, lower is better' : 'final test accuracy'
  return `summary (${metric}; mean over seeds):\n${lines.join('\n')}\n`
}

const attackKey = (r: CellResult) => `${r.attack}\n${r.f}`
