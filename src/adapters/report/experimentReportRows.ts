import type { CellResult } from '../../core/experiment/cellResult.ts'

/** A result with the names the report shows it under. */
export interface ReportRow extends CellResult {
  /** The defence as run: rule, protection, and owner count when the matrix varies it. */
  readonly defence: string
  /** The row's name in tables and legends: the variant (when there are variants) and the defence. */
  readonly label: string
}

/** Labels every result; variants and owner counts appear only when the matrix varies them. */
export function labelRows(results: readonly CellResult[]): ReportRow[] {
  const manyClients = new Set(results.map((r) => r.clients)).size > 1
  return results.map((r) => {
    const defence = `${r.aggregator}${r.privacy && r.privacy !== 'none' ? ` + ${r.privacy}` : ''}${manyClients ? `, n = ${r.clients}` : ''}`
    return { ...r, defence, label: r.variant ? `${r.variant} · ${defence}` : defence }
  })
}

/** The variants in matrix order; [''] when the matrix has none. */
export function variantsOf(rows: readonly ReportRow[]): string[] {
  return [...new Set(rows.map((r) => r.variant ?? ''))]
}

/** Clean runs (no attack), one per label, averaged over seeds, in matrix order. */
export function cleanByLabel(rows: readonly ReportRow[]): Map<string, ReportRow> {
  const clean = rows.filter((r) => r.attack === 'none')
  const labels = [...new Set(clean.map((r) => r.label))]
  return new Map(
    labels.flatMap((label) => {
      const r = meanOverSeeds(clean.filter((x) => x.label === label))
      return r ? [[label, r] as const] : []
    }),
  )
}

export const pct = (v: number | null | undefined): string =>
  v === null || v === undefined ? '–' : `${(v * 100).toFixed(2)}`
export const rmseText = (v: number | null | undefined): string =>
  v === null || v === undefined ? '–' : v.toPrecision(5)
export const msText = (v: number | null | undefined): string =>
  v === null || v === undefined ? '–' : v.toFixed(0)
export const kBText = (bytes: number | null | undefined): string =>
  bytes === null || bytes === undefined ? '–' : (bytes / 1000).toFixed(1)

/**
 * Mean of the numeric metrics and of the per-round series over seeds; the confusion
 * matrix and ROC curve are the first seed's. The first non-ok status wins.
 */
export function meanOverSeeds<R extends CellResult>(rows: readonly R[]): R | undefined {
  if (rows.length === 0) return undefined
  const bad = rows.find((r) => r.status !== 'ok')
  if (bad) return bad
  const avg = (pick: (r: CellResult) => number | null) => {
    const values = rows.map(pick).filter((v): v is number => v !== null && v !== undefined)
    return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null
  }
  const series = (pick: (r: CellResult) => readonly number[] | undefined) => {
    const all = rows.map((r) => pick(r) ?? [])
    const length = Math.min(...all.map((s) => s.length))
    return Array.from({ length }, (_, i) => all.reduce((s, x) => s + x[i]!, 0) / all.length)
  }
  return {
    ...rows[0]!,
    accuracy: avg((r) => r.accuracy),
    precision: avg((r) => r.precision),
    recall: avg((r) => r.recall),
    f1: avg((r) => r.f1),
    auc: avg((r) => r.auc),
    rmse: avg((r) => r.rmse),
    epsilon: avg((r) => r.epsilon),
    msPerRound: avg((r) => r.msPerRound),
    bytesPerRound: avg((r) => r.bytesPerRound),
    loss: avg((r) => r.loss),
    attackSuccessRate: avg((r) => r.attackSuccessRate),
    flippedClassRecall: avg((r) => r.flippedClassRecall),
    selectionShareHonest: avg((r) => r.selectionShareHonest),
    selectionShareMalicious: avg((r) => r.selectionShareMalicious),
    detectionPrecision: avg((r) => r.detectionPrecision),
    detectionRecall: avg((r) => r.detectionRecall),
    detectionFalsePositiveRate: avg((r) => r.detectionFalsePositiveRate),
    rollbacks: avg((r) => r.rollbacks),
    blocks: avg((r) => r.blocks),
    accuracyByRound: series((r) => r.accuracyByRound),
    rmseByRound: series((r) => r.rmseByRound),
    epsilonByRound: series((r) => r.epsilonByRound),
  }
}
