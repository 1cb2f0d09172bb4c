import { MsflError } from '../errors/msflError.ts'

/**
 * The largest B such that every model whose encoded parameters lie in [−2^B, 2^B) is
 * evaluated and aggregated without wrapping around Z_2^64, so the sign of every
 * compared value is the sign of the true integer and the opened sum is the true sum.
 * The verifiers check that range on the shares (a parameter outside it excludes the
 * model): without the check a client could add multiples of 2^64 / (data scale) to
 * its weights that are invisible to every logit but poison the aggregate.
 *
 * With S = max over validation rows of Σ_j |x_ij| + 2^f (encoded features, plus the
 * bias feature 1 at scale 2^f), every logit has |z| ≤ 2^B·S, so:
 * - softmax compares K·(z_c − z_y) plus tie-break constants < 2K: 2K·2^B·S + 2K < 2^63;
 * - logistic compares ±z − y: 2^B·S + 1 < 2^63;
 * - FedAvg opens Σ n_m·w_m: (Σ n_m)·2^B < 2^63;
 * - the range test itself compares w − 2^B and −w − 2^B − 1: B ≤ 61.
 */
export function weightBoundBits(p: {
  readonly kind: 'softmax' | 'logistic'
  readonly outputDim: number
  /** max_i Σ_j |encoded x_ij| over the validation rows (bias not included). */
  readonly dataRowBound: number
  readonly fractionBits: number
  /** Σ numExamples over every model of the session. */
  readonly totalExamples: number
}): number {
  const limit = 2n ** 63n
  const s = BigInt(Math.ceil(p.dataRowBound)) + 2n ** BigInt(p.fractionBits)
  const k = BigInt(p.outputDim)
  const examples = BigInt(p.totalExamples)
  for (let b = 61; b >= 0; b--) {
    const w = 2n ** BigInt(b)
    const logit = p.kind === 'softmax' ? 2n * k * s * w + 2n * k : s * w + 1n
    if (logit < limit && examples * w < limit) return b
  }
  throw new MsflError(
    'CONFIG_INVALID',
    `validation rows of L1 norm ${p.dataRowBound} (fixed point) leave no room for weights in Z_2^64; use fewer fraction bits or rescale the data`,
  )
}

/** max_i Σ_j |x_ij| of an encoded n × d matrix held in doubles. */
export function maxRowAbsSum(x: Float64Array, n: number, d: number): number {
  let max = 0
  for (let i = 0; i < n; i++) {
    let sum = 0
    for (let j = 0; j < d; j++) sum += Math.abs(x[i * d + j]!)
    if (sum > max) max = sum
  }
  return max
}
