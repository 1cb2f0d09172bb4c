/** Metrics for one class, from a confusion matrix counts[actual][predicted]. */
export interface ClassMetrics {
  readonly precision: number
  readonly recall: number
  readonly f1: number
  /** Rows whose actual class this is. */
  readonly support: number
  /** Rows predicted as this class. */
  readonly predicted: number
}

export interface ClassificationMetrics {
  readonly accuracy: number
  /** Macro averages over the classes that occur (see perClassMetrics). */
  readonly precision: number
  readonly recall: number
  readonly f1: number
  readonly perClass: readonly ClassMetrics[]
}

/** Fraction of rows on the diagonal; 0 for an empty matrix. */
export function accuracy(counts: readonly (readonly number[])[]): number {
  let correct = 0
  let total = 0
  counts.forEach((row, a) => {
    row.forEach((c, p) => {
      total += c
      if (a === p) correct += c
    })
  })
  return total === 0 ? 0 : correct / total
}

/**
 * Per-class precision, recall and F1 with the zero-division convention of
 * scikit-learn's `zero_division=0`: a ratio whose denominator is zero is 0 — a class
 * never predicted has precision 0, a class with no support has recall 0, and F1 is 0
 * when precision + recall is 0. Nothing is ever NaN.
 */
export function perClassMetrics(counts: readonly (readonly number[])[]): ClassMetrics[] {
  const k = counts.length
  return counts.map((row, c) => {
    const tp = row[c] ?? 0
    const support = row.reduce((sum, v) => sum + v, 0)
    let predicted = 0
    for (let a = 0; a < k; a++) predicted += counts[a]![c] ?? 0
    const precision = predicted === 0 ? 0 : tp / predicted
    const recall = support === 0 ? 0 : tp / support
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall)
    return { precision, recall, f1, support, predicted }
  })
}

/**
 * Macro averages (unweighted means of the per-class values; F1 is the mean of per-class
 * F1s, not the F1 of the mean precision and recall). Classes that neither occur nor are
 * predicted are left out — they carry no information and would otherwise drag every
 * score towards 0 when, say, a client's test split lacks a class. This matches
 * scikit-learn's default of averaging over the labels present in y_true ∪ y_pred.
 * A class that occurs but is never predicted (or vice versa) counts, with 0s as above.
 */
export function macroAverages(counts: readonly (readonly number[])[]): {
  precision: number
  recall: number
  f1: number
} {
  const present = perClassMetrics(counts).filter((m) => m.support > 0 || m.predicted > 0)
  if (present.length === 0) return { precision: 0, recall: 0, f1: 0 }
  const mean = (pick: (m: ClassMetrics) => number): number =>
    present.reduce((sum, m) => sum + pick(m), 0) / present.length
  return {
    precision: mean((m) => m.precision),
    recall: mean((m) => m.recall),
    f1: mean((m) => m.f1),
  }
}

/** Macro-averaged precision of a confusion matrix (rows: true class, columns: predicted). */
export function macroPrecision(counts: readonly (readonly number[])[]): number {
  return macroAverages(counts).precision
}

/** Macro-averaged recall of a confusion matrix (rows: true class, columns: predicted). */
export function macroRecall(counts: readonly (readonly number[])[]): number {
  return macroAverages(counts).recall
}

/** Macro-averaged F1 of a confusion matrix (rows: true class, columns: predicted). */
export function macroF1(counts: readonly (readonly number[])[]): number {
  return macroAverages(counts).f1
}

/** Accuracy, macro precision/recall/F1 and the per-class values behind them. */
export function classificationMetrics(
  counts: readonly (readonly number[])[],
): ClassificationMetrics {
  return { accuracy: accuracy(counts), ...macroAverages(counts), perClass: perClassMetrics(counts) }
}
