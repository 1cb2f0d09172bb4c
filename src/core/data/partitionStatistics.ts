import type { Dataset } from './dataset.ts'

/** Rows and label counts of one client of a partition. */
export interface ClientStatistics {
  readonly client: number
  readonly n: number
  /** Rows per class (length numClasses). */
  readonly labelCounts: readonly number[]
}

/** Sizes and label-skew measures of a partition over all clients. */
export interface PartitionSummary {
  readonly clients: number
  readonly rows: number
  readonly minRows: number
  readonly maxRows: number
  readonly meanRows: number
  /** Standard deviation / mean of client sizes: 0 for equal sizes, large under quantity skew. */
  readonly sizeCv: number
  /**
   * Mean Jensen–Shannon divergence (base 2, so in [0, 1]) between the label distributions
   * of every pair of non-empty clients: ~0 for IID, approaching 1 when clients hold
   * disjoint classes.
   */
  readonly meanPairwiseJsd: number
  /** Mean total-variation distance between each client's label distribution and the global one. */
  readonly meanTvdFromGlobal: number
}

/** Per-client statistics of a partition and their summary. */
export interface PartitionStatistics {
  readonly perClient: readonly ClientStatistics[]
  readonly summary: PartitionSummary
}

/** Sizes, label counts and label-skew measures of a partition of `data`'s rows. */
export function partitionStatistics(
  data: Dataset,
  parts: readonly ArrayLike<number>[],
): PartitionStatistics {
  const k = data.numClasses
  const perClient: ClientStatistics[] = parts.map((rows, client) => {
    const labelCounts = new Array<number>(k).fill(0)
    if (k > 0) for (let r = 0; r < rows.length; r++) labelCounts[data.y[rows[r]!]!]! += 1
    return { client, n: rows.length, labelCounts }
  })
  const sizes = perClient.map((c) => c.n)
  const rows = sizes.reduce((a, b) => a + b, 0)
  const meanRows = parts.length > 0 ? rows / parts.length : 0
  const variance =
    parts.length > 0 ? sizes.reduce((acc, s) => acc + (s - meanRows) ** 2, 0) / parts.length : 0

  const distributions = perClient
    .filter((c) => c.n > 0 && k > 0)
    .map((c) => c.labelCounts.map((v) => v / c.n))
  let jsdSum = 0
  let pairs = 0
  for (let a = 0; a < distributions.length; a++) {
    for (let b = a + 1; b < distributions.length; b++) {
      jsdSum += jensenShannon(distributions[a]!, distributions[b]!)
      pairs++
    }
  }
  const global = new Array<number>(k).fill(0)
  for (const c of perClient)
    for (let j = 0; j < k; j++) global[j]! += c.labelCounts[j]! / Math.max(rows, 1)
  const tvdSum = distributions.reduce((acc, p) => acc + totalVariation(p, global), 0)

  return {
    perClient,
    summary: {
      clients: parts.length,
      rows,
      minRows: sizes.length > 0 ? Math.min(...sizes) : 0,
      maxRows: sizes.length > 0 ? Math.max(...sizes) : 0,
      meanRows,
      sizeCv: meanRows > 0 ? Math.sqrt(variance) / meanRows : 0,
      meanPairwiseJsd: pairs > 0 ? jsdSum / pairs : 0,
      meanTvdFromGlobal: distributions.length > 0 ? tvdSum / distributions.length : 0,
    },
  }
}

/** Jensen–Shannon divergence in bits between two probability vectors. */
export function jensenShannon(p: readonly number[], q: readonly number[]): number {
  let js = 0
  for (let i = 0; i < p.length; i++) {
    const m = (p[i]! + q[i]!) / 2
    if (p[i]! > 0) js += 0.5 * p[i]! * Math.log2(p[i]! / m)
    if (q[i]! > 0) js += 0.5 * q[i]! * Math.log2(q[i]! / m)
  }
  // Rounding can push identical distributions a hair below zero.
  return Math.max(0, js)
}

/** Total-variation distance: half the L1 distance between two probability vectors. */
export function totalVariation(p: readonly number[], q: readonly number[]): number {
  let sum = 0
  for (let i = 0; i < p.length; i++) sum += Math.abs(p[i]! - q[i]!)
  return sum / 2
}
