import type { AnyRoundRecord } from '../../core/events/runEvent.ts'
import type { EvaluationMetrics } from '../../core/metrics/evaluateModel.ts'
import type { RunEventDigest } from './createRunEventDigest.ts'
import { htmlReportPage } from './htmlReportPage.ts'
import { runDefenceSection } from './runDefenceSection.ts'
import { type RunReportLedger, runLedgerSection } from './runLedgerSection.ts'
import { type OwnerRow, runOwnersTable } from './runOwnersTable.ts'
import { confusionHeatmap, escapeHtml, lineChart } from './svgCharts.ts'

export interface RunReportInput {
  readonly runId: string
  readonly title: string
  readonly config: unknown
  readonly datasetDescription: string
  readonly classNames: readonly string[]
  readonly history: readonly AnyRoundRecord[]
  readonly final: EvaluationMetrics
  /** Per-client rows shown in a table (e.g. size and label counts). */
  readonly clients: readonly OwnerRow[]
  /** What the run's event stream adds: attackers, payments, the defence's decisions. */
  readonly events: RunEventDigest
  /** The ledger's totals and model registry, when the run had one. */
  readonly ledger?: RunReportLedger
  /** `--defence` as configured, when the run screened updates. */
  readonly defence?: string
  readonly environment: Readonly<Record<string, string>>
}

const pct = (v: number | undefined) => (v === undefined ? '–' : `${(v * 100).toFixed(2)} %`)
const num = (v: number | undefined) => (v === undefined ? '–' : v.toFixed(4))

/**
 * A self-contained HTML page for one run: curves per round, confusion matrix, ROC,
 * the data owners (attackers marked, selection share, payout), the ledger, and what
 * the defence detected per round.
 */
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
  // MS-FL on CKKS: how far each round's decrypted aggregate is from the plaintext one.
  const ckks = history.some((r) => ckksErrorOf(r) !== undefined)
  const roundRows = history
    .map(
      (r) =>
        `<tr><td>${r.round}</td><td>${pct(r.test.accuracy)}</td><td>${num(r.test.f1)}</td><td>${num(r.test.loss)}</td>` +
        `<td>${num(r.trainLoss)}</td><td>${r.accepted}/${r.selected}</td><td>${(r.bytesSent + r.bytesReceived).toLocaleString('en')}</td><td>${(r.durationMs / 1000).toFixed(2)}</td>` +
        `${ckks ? `<td>${ckksErrorOf(r)?.toExponential(2) ?? '–'}</td>` : ''}</tr>`,
    )
    .join('')
  const worstCkksError = Math.max(...history.map((r) => ckksErrorOf(r) ?? Number.NEGATIVE_INFINITY))
  return htmlReportPage({
    title: input.title,
    maxWidth: 1200,
    tableMargin: '1rem 0',
    extraStyle:
      '.kpi{display:flex;gap:2rem;font-size:1.1rem}.kpi div b{display:block;font-size:1.6rem}\n' +
      'tr.attacker td{background:#fdecea}.attacker{color:#b3261e;font-weight:600}details{margin:1rem 0}\n',
    environment: input.environment,
    body: `<h1>${escapeHtml(input.title)}</h1>
<p>Run <code>${escapeHtml(input.runId)}</code> · ${rounds.length} rounds · ${escapeHtml(input.datasetDescription)}</p>
<div class="kpi">
<div>accuracy<b>${pct(final.accuracy)}</b></div><div>macro-F1<b>${num(final.f1)}</b></div>
<div>AUC<b>${num(final.auc)}</b></div><div>loss<b>${num(final.loss)}</b></div>${final.rmse !== undefined ? `<div>RMSE<b>${num(final.rmse)}</b></div>` : ''}${ckks ? `<div>max CKKS error<b>${worstCkksError.toExponential(2)}</b></div>` : ''}
</div>
<div class="charts">${charts.join('\n')}</div>
<h2>Rounds</h2>
${ckks ? '<p>CKKS error: max |decrypted aggregate − plaintext aggregate| / max |plaintext aggregate| of the round.</p>' : ''}
<table class="rounds"><tr><th>round</th><th>accuracy</th><th>macro-F1</th><th>test loss</th><th>train loss</th><th>updates</th><th>bytes</th><th>seconds</th>${ckks ? '<th>CKKS error</th>' : ''}</tr>${roundRows}</table>
${runOwnersTable({ owners: input.clients, classNames: input.classNames, history, events: input.events, unit: input.ledger?.unit ?? 'units' })}
${input.ledger ? runLedgerSection(input.ledger) : ''}
${input.defence === undefined ? '' : runDefenceSection({ defence: input.defence, rounds, events: input.events })}
<h2>Configuration</h2>
<pre>${escapeHtml(JSON.stringify(input.config, null, 2))}</pre>`,
  })
}

/** MS-FL on CKKS records the CKKS error of a round; other protocols do not. */
function ckksErrorOf(r: AnyRoundRecord): number | undefined {
  return 'ckksError' in r ? r.ckksError : undefined
}
