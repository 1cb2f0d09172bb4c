/** One row of an experiment's result table. Metrics are fractions; null where not applicable. */
export interface CellResult {
  readonly index: number
  /** The matrix variant the cell ran; absent when the matrix has no variants. */
  readonly variant?: string
  readonly aggregator: string
  /** The update protection (`--privacy` spec), or `none`. */
  readonly privacy: string
  /** Data owners in the cell. */
  readonly clients: number
  readonly attack: string
  readonly malicious: number
  /** Number of malicious data owners. */
  readonly f: number
  readonly seed: number
  /** `ok`, or why the cell did not run (`n/a: …` when the rule cannot tolerate f). */
  readonly status: string
  readonly accuracy: number | null
  /** Macro averages over classes (see evaluateModel). */
  readonly precision: number | null
  readonly recall: number | null
  readonly f1: number | null
  /** Macro one-vs-rest AUC (logistic: of P(y = 1)). */
  readonly auc: number | null
  readonly loss: number | null
  readonly attackSuccessRate: number | null
  readonly flippedClassRecall: number | null
  /** MS-FL rule: mean share of components selected, honest and malicious owners. */
  readonly selectionShareHonest: number | null
  readonly selectionShareMalicious: number | null
  /** Sample-level DP: the largest owner ε spent (δ as configured); null without DP. */
  readonly epsilon: number | null
  /** Sample-level DP: the ε spent after each round; empty without DP. */
  readonly epsilonByRound: readonly number[]
  /** Regression: final test RMSE and after each round; null / empty for classification. */
  readonly rmse: number | null
  readonly rmseByRound: readonly number[]
  /** Test accuracy after each round. */
  readonly accuracyByRound: readonly number[]
  /** Mean wall time and transport bytes (both directions) of one round. */
  readonly msPerRound: number | null
  readonly bytesPerRound: number | null
  /** Final model, classification: counts[actual][predicted] and the class names. */
  readonly confusionMatrix: readonly (readonly number[])[] | null
  readonly classNames: readonly string[] | null
  /** Final model: the ROC curve as evaluated (already down-sampled for reports). */
  readonly roc: { readonly fpr: readonly number[]; readonly tpr: readonly number[] } | null
  /** `--defence adrm`: detection against the known attackers over every inspected update; null without it. */
  readonly detectionPrecision: number | null
  readonly detectionRecall: number | null
  readonly detectionFalsePositiveRate: number | null
  /** `--defence adrm`: model rollbacks and client blocks over the run; null without it. */
  readonly rollbacks: number | null
  readonly blocks: number | null
  readonly durationMs: number
}

/** Per-round series, matrices and curves: in results.json, left out of flat result tables. */
export const CELL_RESULT_DETAIL_FIELDS = [
  'accuracyByRound',
  'epsilonByRound',
  'confusionMatrix',
  'classNames',
  'roc',
] as const satisfies readonly (keyof CellResult)[]
