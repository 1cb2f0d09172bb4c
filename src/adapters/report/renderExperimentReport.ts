import type { CellResult } from '../../core/experiment/cellResult.ts'
import { attackSection, type Headline } from './experimentAttackSection.ts'
import { cleanSection } from './experimentCleanSection.ts'
import { detectionSection } from './experimentDetectionSection.ts'
import { epsilonSection } from './experimentEpsilonChart.ts'
import { modelSection } from './experimentModelSection.ts'
import { overheadTable } from './experimentOverheadTable.ts'
import { cleanByLabel, labelRows, pct, rmseText } from './experimentReportRows.ts'
import { htmlReportPage } from './htmlReportPage.ts'
import { escapeHtml } from './svgCharts.ts'

export interface ExperimentReportInput {
  readonly name: string
  readonly matrix: unknown
  readonly results: readonly CellResult[]
  readonly environment: Readonly<Record<string, string>>
}

/**
 * Self-contained HTML: the clean runs (per variant, with their cost, the protection
 * overhead, per-round curves, confusion matrices and ROC curves, ε per round with DP),
 * then per attack, the metrics by defence and malicious share.
 */
export function renderExperimentReport(input: ExperimentReportInput): string {
  // A protected run, each owner count the matrix varies and each variant is its own row.
  const results = labelRows(input.results)
  const regression = results.some((r) => r.rmse !== null && r.rmse !== undefined)
  const headline: Headline = regression
    ? { title: 'Test RMSE', pick: (r) => r.rmse, format: rmseText, scale: 1, unit: '' }
    : { title: 'Test accuracy (%)', pick: (r) => r.accuracy, format: pct, scale: 100, unit: '%' }
  const labels = [...new Set(results.map((r) => r.label))]
  const attacks = [...new Set(results.map((r) => r.attack))].filter((a) => a !== 'none')
  const clean = cleanByLabel(results)
  const sections: string[] = []
  if (clean.size > 0) sections.push(cleanSection(clean), overheadTable(clean), modelSection(clean))
  sections.push(epsilonSection(results), detectionSection(results))
  for (const attack of attacks)
    sections.push(
      attackSection(
        attack,
        results.filter((r) => r.attack === attack),
        labels,
        clean,
        headline,
      ),
    )
  const skipped = results.filter((r) => r.status !== 'ok')
  if (skipped.length > 0)
    sections.push(
      `<h2>Cells that did not run</h2><ul>${skipped.map((r) => `<li>${escapeHtml(`${r.label} × ${r.attack} × f=${r.f}: ${r.status}`)}</li>`).join('')}</ul>`,
    )
  return htmlReportPage({
    title: input.name,
    maxWidth: 1300,
    tableMargin: '.5rem 0 1.5rem',
    environment: input.environment,
    body: `<h1>Experiment: ${escapeHtml(input.name)}</h1>
<p>${results.length} runs. Values are the final round's test metrics (mean over seeds). “n/a” cells could not run; hover for the reason.</p>
${sections.filter(Boolean).join('\n')}
<h2>Matrix</h2><pre>${escapeHtml(JSON.stringify(input.matrix, null, 2))}</pre>`,
  })
}
