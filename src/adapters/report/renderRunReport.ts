import type { RoundRecord } from '../../core/events/runEvent.ts'
import type { EvaluationMetrics } from '../../core/metrics/evaluateModel.ts'
import { confusionHeatmap, escapeHtml, lineChart } from './svgCharts.ts'

export interface RunReportInput {
  readonly runId: string
  readonly title: string
  readonly config: unknown
  readonly datasetDescription: string
  readonly classNames: readonly string[]
  readonly history: readonly RoundRecord[]
  readonly final: EvaluationMetrics
  /** Per-client rows shown in a table (e.g. size and label counts). */
  readonly clients: readonly {
    readonly client: string
    readonly n: number
    readonly labelCounts: readonly number[]
  }[]
  readonly environment: Readonly<Record<string, string>>
}

const pct = (v: number | undefined) => (v === undefined ? '–' : `${(v * 100).toFixed(2)} %`)
const num = (v: number | undefined) => (v === undefined ? '–' : v.toFixed(4))

/** A self-contained HTML page for one run: curves per round, confusion matrix, ROC, clients. */
export function renderRunReport(input: RunReportInput): string {
  const { history, final } = input
  const rounds = history.map((r) => r.round)
  const charts: string[] = []
  if (history.some((r) => r.test.accuracy !== undefined)) {
    charts.push(
      lineChart(
        [
          {
            name: 'test accuracy',
            points: history.map((r) => [r.round, r.test.accuracy ?? Number.NaN] as const),
          },
        ],
        { title: 'Accuracy per round', xLabel: 'round', yLabel: 'accuracy' },
      ),
    )
  }
  charts.push(
    lineChart(
      [
        { name: 'test loss', points: history.map((r) => [r.round, r.test.loss] as const) },
        {
          name: 'train loss',
          points: history.map((r) => [r.round, r.trainLoss ?? Number.NaN] as const),
        },
      ],
      { title: 'Loss per round', xLabel: 'round', yLabel: 'loss' },
    ),
  )
  if (final.confusionMatrix)
    charts.push(
      confusionHeatmap(final.confusionMatrix, input.classNames, 'Confusion matrix (test)'),
    )
  if (final.roc) {
    charts.push(
      lineChart(
        [
          {
            name: `AUC ${num(final.auc)}`,
            points: final.roc.fpr.map((x, i) => [x, final.roc!.tpr[i]!] as const),
          },
        ],
        {
          title: 'ROC curve (test)',
          xLabel: 'false positive rate',
          yLabel: 'true positive rate',
          yRange: [0, 1],
          diagonal: true,
        },
      ),
    )
  }
  const roundRows = history
    .map(
      (r) =>
        `<tr><td>${r.round}</td><td>${pct(r.test.accuracy)}</td><td>${num(r.test.f1)}</td><td>${num(r.test.loss)}</td>` +
        `<td>${num(r.trainLoss)}</td><td>${r.accepted}/${r.selected}</td><td>${(r.bytesSent + r.bytesReceived).toLocaleString('en')}</td><td>${(r.durationMs / 1000).toFixed(2)}</td></tr>`,
    )
    .join('')
  const clientRows = input.clients
    .map(
      (c) =>
        `<tr><td>${escapeHtml(c.client)}</td><td>${c.n}</td><td>${c.labelCounts.join(' / ')}</td></tr>`,
    )
    .join('')
  const env = Object.entries(input.environment)
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join('')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(input.title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;max-width:1200px;color:#222}
table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ddd;padding:4px 8px;text-align:right}
th{background:#f5f5f5}.charts{display:flex;flex-wrap:wrap;gap:1rem}pre{background:#f7f7f7;padding:1rem;overflow:auto}
.kpi{display:flex;gap:2rem;font-size:1.1rem}.kpi div b{display:block;font-size:1.6rem}
</style></head><body>
<h1>${escapeHtml(input.title)}</h1>
<p>Run <code>${escapeHtml(input.runId)}</code> · ${rounds.length} rounds · ${escapeHtml(input.datasetDescription)}</p>
<div class="kpi">
<div>accuracy<b>${pct(final.accuracy)}</b></div><div>macro-F1<b>${num(final.f1)}</b></div>
<div>AUC<b>${num(final.auc)}</b></div><div>loss<b>${num(final.loss)}</b></div>${final.rmse !== undefined ? `<div>RMSE<b>${num(final.rmse)}</b></div>` : ''}
</div>
<div class="charts">${charts.join('\n')}</div>
<h2>Rounds</h2>
<table><tr><th>round</th><th>accuracy</th><th>macro-F1</th><th>test loss</th><th>train loss</th><th>updates</th><th>bytes</th><th>seconds</th></tr>${roundRows}</table>
<h2>Data owners</h2>
<table><tr><th>client</th><th>rows</th><th>rows per class (${escapeHtml(input.classNames.join(' / '))})</th></tr>${clientRows}</table>
<h2>Configuration</h2>
<pre>${escapeHtml(JSON.stringify(input.config, null, 2))}</pre>
<h2>Environment</h2><table>${env}</table>
</body></html>
`
}
