import { type ReportRow, variantsOf } from './experimentReportRows.ts'
import { confusionHeatmap, escapeHtml, lineChart } from './svgCharts.ts'

/**
 * The final classifiers of the clean runs, per variant: the confusion matrix of the
 * plain run and of the most accurate protected run (first seed; protections that
 * encrypt should give the same matrix), and the ROC curves of every defence.
 * Empty for regression.
 */
export function modelSection(clean: ReadonlyMap<string, ReportRow>): string {
  const rows = [...clean.values()].filter((r) => r.status === 'ok' && r.confusionMatrix)
  if (rows.length === 0) return ''
  const parts = ['<h2>Final models (clean runs, first seed)</h2>']
  for (const variant of variantsOf(rows)) {
    const group = rows.filter((r) => (r.variant ?? '') === variant)
    const plain = group.find((r) => r.privacy === 'none') ?? group[0]!
    const bestProtected = group
      .filter((r) => r.privacy !== 'none')
      .reduce<ReportRow | undefined>(
        (best, r) => (best === undefined || (r.accuracy ?? 0) > (best.accuracy ?? 0) ? r : best),
        undefined,
      )
    const shown = bestProtected && bestProtected !== plain ? [plain, bestProtected] : [plain]
    const heatmaps = shown.map((r) =>
      confusionHeatmap(
        r.confusionMatrix!,
        r.classNames ?? r.confusionMatrix!.map((_, i) => String(i)),
        `${r.defence}: confusion matrix`,
      ),
    )
    const withRoc = group.filter((r) => r.roc)
    const classes = plain.confusionMatrix!.length
    const roc =
      withRoc.length === 0
        ? ''
        : lineChart(
            withRoc.map((r) => ({
              // Multi-class: the curve is micro-averaged, the AUC the macro one-vs-rest mean.
              name: `${r.defence}${r.auc === null ? '' : ` (${classes > 2 ? 'macro ' : ''}AUC ${r.auc.toFixed(3)})`}`,
              points: r.roc!.fpr.map((x, i) => [x, r.roc!.tpr[i]!] as const),
            })),
            {
              title: classes > 2 ? 'ROC (micro-averaged over classes)' : 'ROC',
              xLabel: 'false positive rate',
              yLabel: 'true positive rate',
              yRange: [0, 1],
              diagonal: true,
              legend: 'bottom',
            },
          )
    parts.push(
      `${variant ? `<h3>${escapeHtml(variant)}</h3>` : ''}<div class="charts">${heatmaps.join('')}${roc}</div>`,
    )
  }
  return parts.join('\n')
}
