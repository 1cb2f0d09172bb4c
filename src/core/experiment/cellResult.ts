/** One row of an experiment's result table. Metrics are fractions; null where not applicable. */
export interface CellResult {
  readonly index: number
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
  readonly f1: number | null
  readonly loss: number | null
  readonly attackSuccessRate: number | null
  readonly flippedClassRecall: number | null
  /** MS-FL rule: mean share of components selected, honest and malicious owners. */
  readonly selectionShareHonest: number | null
  readonly selectionShareMalicious: number | null
  /** Sample-level DP: the largest owner ε spent (δ as configured); null without DP. */
  readonly epsilon: number | null
  /** Regression: final test RMSE and after each round; null / empty for classification. */
  readonly rmse: number | null
  readonly rmseByRound: readonly number[]
  /** Test accuracy after each round. */
  readonly accuracyByRound: readonly number[]
  /** Mean wall time and transport bytes (both directions) of one round. */
  readonly msPerRound: number | null
  readonly bytesPerRound: number | null
  readonly durationMs: number
}
