/**
 * Krum scores over a pool of candidates: for each pooled update, the sum of its
 * squared distances to its `neighbours` nearest other pooled updates (Blanchard et
 * al. 2017). `matrix` is the n×n output of pairwiseSquaredDistances, so Bulyan can
 * rescore a shrinking pool without touching the vectors again. Returns scores
 * aligned with `pool`.
 */
export function krumScores(
  matrix: Float64Array,
  n: number,
  pool: readonly number[],
  neighbours: number,
): Float64Array {
  const scores = new Float64Array(pool.length)
  const row = new Float64Array(Math.max(0, pool.length - 1))
  for (let p = 0; p < pool.length; p++) {
    const i = pool[p]!
    let r = 0
    for (const k of pool) if (k !== i) row[r++] = matrix[i * n + k]!
    row.sort()
    let score = 0
    for (let q = 0; q < neighbours && q < row.length; q++) score += row[q]!
    scores[p] = score
  }
  return scores
}

/** Position in `scores` of the smallest score; ties go to the earliest, i.e. the lowest update index. */
export function argMin(scores: Float64Array): number {
  let best = 0
  for (let p = 1; p < scores.length; p++) if (scores[p]! < scores[best]!) best = p
  return best
}
