import { MsflError } from '../errors/msflError.ts'
import { logErfc } from './logErfc.ts'
import { logAdd, logSub } from './logSpace.ts'

/**
 * Rényi DP of one step of the Poisson-subsampled Gaussian mechanism: every record is
 * included independently with probability q, the included records' contributions
 * (L2 sensitivity 1 after clipping) are summed and N(0, σ²) is added. Neighbouring
 * datasets differ by adding or removing one record.
 *
 * The values are those of Mironov, Talwar and Zhang, "Rényi Differential Privacy of
 * the Sampled Gaussian Mechanism" (arXiv:1908.10530, 2019), Section 3.3: RDP(α) =
 * log(A_α)/(α − 1) with
 * - integer α: A_α = Σ_{i=0..α} C(α,i)·(1−q)^{α−i}·q^i·e^{(i²−i)/(2σ²)}, exact;
 * - fractional α: the two-sided series split at z₀ = σ²·log(1/q − 1) + ½, summed until
 *   both terms fall below e^−30 (as TensorFlow Privacy and Opacus do).
 * Both are evaluated in log space. q = 1 is the plain Gaussian mechanism, α/(2σ²).
 * The result is per step; composition over T steps multiplies it by T.
 */
export function sampledGaussianRdp(
  samplingRate: number,
  noiseMultiplier: number,
  orders: readonly number[],
): Float64Array {
  checkMechanism(samplingRate, noiseMultiplier)
  const rdp = new Float64Array(orders.length)
  orders.forEach((order, k) => {
    if (!(order > 1)) throw invalid(`RDP orders must be > 1, got ${order}`)
    rdp[k] = rdpAtOrder(samplingRate, noiseMultiplier, order)
  })
  return rdp
}

function rdpAtOrder(q: number, sigma: number, alpha: number): number {
  if (q === 0) return 0
  if (sigma === 0 || alpha === Number.POSITIVE_INFINITY) return Number.POSITIVE_INFINITY
  if (q === 1) return alpha / (2 * sigma * sigma)
  const logA = Number.isInteger(alpha)
    ? logAInteger(q, sigma, alpha)
    : logAFractional(q, sigma, alpha)
  return logA / (alpha - 1)
}

function logAInteger(q: number, sigma: number, alpha: number): number {
  const logQ = Math.log(q)
  const log1mQ = Math.log1p(-q)
  const twoSigma2 = 2 * sigma * sigma
  let logA = Number.NEGATIVE_INFINITY
  let logBinomial = 0
  for (let i = 0; i <= alpha; i++) {
    // C(α, i) from C(α, i−1) by the ratio (α − i + 1)/i: no factorial overflow.
    if (i > 0) logBinomial += Math.log(alpha - i + 1) - Math.log(i)
    const term = logBinomial + i * logQ + (alpha - i) * log1mQ + (i * i - i) / twoSigma2
    logA = logAdd(logA, term)
  }
  return logA
}

/** Terms stop mattering once both are below e^−30 relative to A ≥ 1 (MTZ 2019, Sec. 3.3). */
const SERIES_CUTOFF = -30
const MAX_SERIES_TERMS = 1_000_000

function logAFractional(q: number, sigma: number, alpha: number): number {
  const logQ = Math.log(q)
  const log1mQ = Math.log1p(-q)
  const twoSigma2 = 2 * sigma * sigma
  const z0 = sigma * sigma * Math.log(1 / q - 1) + 0.5
  const scale = Math.SQRT2 * sigma
  // The series' two halves have the same term with the roles of i and j = α − i
  // swapped: log(|C(α, i)| · q^a · (1 − q)^b · e^{(a² − a)/2σ²} · ½ · erfc(x)).
  const halfTerm = (logBinomial: number, a: number, b: number, x: number) =>
    logBinomial + a * logQ + b * log1mQ + (a * a - a) / twoSigma2 + Math.log(0.5) + logErfc(x)
  // Generalised binomials C(α, i) change sign once i > α + 1, so positive and negative
  // terms are summed apart and subtracted at the end.
  let pos0 = Number.NEGATIVE_INFINITY
  let neg0 = Number.NEGATIVE_INFINITY
  let pos1 = Number.NEGATIVE_INFINITY
  let neg1 = Number.NEGATIVE_INFINITY
  let logAbsBinomial = 0
  let positive = true
  for (let i = 0; ; i++) {
    if (i > 0) {
      const factor = alpha - i + 1
      logAbsBinomial += Math.log(Math.abs(factor)) - Math.log(i)
      if (factor < 0) positive = !positive
    }
    const j = alpha - i
    const s0 = halfTerm(logAbsBinomial, i, j, (i - z0) / scale)
    const s1 = halfTerm(logAbsBinomial, j, i, (z0 - j) / scale)
    if (positive) {
      pos0 = logAdd(pos0, s0)
      pos1 = logAdd(pos1, s1)
    } else {
      neg0 = logAdd(neg0, s0)
      neg1 = logAdd(neg1, s1)
    }
    if (Math.max(s0, s1) < SERIES_CUTOFF) break
    if (i >= MAX_SERIES_TERMS)
      throw invalid(
        `the RDP series for q = ${q}, σ = ${sigma}, α = ${alpha} did not converge; use integer orders`,
      )
  }
  // A negative part that rounding pushed past the positive one means that part is ~0;
  // keeping the positive sum alone is then an upper bound, i.e. conservative.
  const a0 = logSub(pos0, neg0) ?? pos0
  const a1 = logSub(pos1, neg1) ?? pos1
  return logAdd(a0, a1)
}

function checkMechanism(samplingRate: number, noiseMultiplier: number): void {
  if (!(samplingRate >= 0 && samplingRate <= 1))
    throw invalid(`samplingRate must be in [0, 1], got ${samplingRate}`)
  if (!(noiseMultiplier >= 0 && Number.isFinite(noiseMultiplier)))
    throw invalid(`noiseMultiplier must be a finite number >= 0, got ${noiseMultiplier}`)
}

function invalid(message: string): MsflError {
  return new MsflError('CONFIG_INVALID', `differential privacy: ${message}`)
}
