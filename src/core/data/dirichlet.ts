import { MsflError } from '../errors/msflError.ts'
import type { Rng } from '../rng/rng.ts'

/**
 * log of a Gamma(shape, 1) sample. Marsaglia & Tsang (2000) for shape ≥ 1; for
 * shape < 1 the boost Gamma(a) = Gamma(a + 1) · U^(1/a). Working in log space matters
 * for small shapes: with a = 0.01, U^(1/a) underflows to 0 for most U, which would turn
 * a Dirichlet draw into 0/0.
 */
export function sampleLogGamma(shape: number, rng: Rng): number {
  if (!(shape > 0) || !Number.isFinite(shape)) {
    throw new MsflError(
      'CONFIG_INVALID',
      `gamma shape must be a positive finite number, got ${shape}`,
    )
  }
  if (shape < 1) return sampleLogGamma(shape + 1, rng) + Math.log(uniformOpen(rng)) / shape
  const d = shape - 1 / 3
  const c = 1 / Math.sqrt(9 * d)
  for (;;) {
    let x: number
    let v: number
    do {
      x = rng.normal()
      v = 1 + c * x
    } while (v <= 0)
    v = v * v * v
    const u = uniformOpen(rng)
    const x2 = x * x
    // Cheap squeeze first; the exact log test only for the ~2% of draws it cannot decide.
    if (u < 1 - 0.0331 * x2 * x2) return Math.log(d * v)
    if (Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return Math.log(d * v)
  }
}

/** A Gamma(shape, 1) sample (may be 0 after underflow for tiny shapes; see sampleLogGamma). */
export function sampleGamma(shape: number, rng: Rng): number {
  return Math.exp(sampleLogGamma(shape, rng))
}

/**
 * A draw from Dirichlet(alphas): normalised independent gammas, normalised in log space
 * (subtract the max before exponentiating) so the result always sums to 1.
 */
export function sampleDirichlet(alphas: ArrayLike<number>, rng: Rng): Float64Array {
  const k = alphas.length
  if (k === 0)
    throw new MsflError('CONFIG_INVALID', 'Dirichlet needs at least one concentration parameter')
  const out = new Float64Array(k)
  let max = Number.NEGATIVE_INFINITY
  for (let i = 0; i < k; i++) {
    out[i] = sampleLogGamma(alphas[i]!, rng)
    if (out[i]! > max) max = out[i]!
  }
  let sum = 0
  for (let i = 0; i < k; i++) {
    out[i] = Math.exp(out[i]! - max)
    sum += out[i]!
  }
  for (let i = 0; i < k; i++) out[i] = out[i]! / sum
  return out
}

/** Symmetric Dirichlet(α, …, α) over k components. */
export function sampleSymmetricDirichlet(alpha: number, k: number, rng: Rng): Float64Array {
  return sampleDirichlet(new Float64Array(k).fill(alpha), rng)
}

/** Uniform in (0, 1]: rng.next() can return exactly 0, whose log is -∞. */
function uniformOpen(rng: Rng): number {
  return 1 - rng.next()
}

/**
 * Throws CONFIG_INVALID unless `value`, the concentration of a partition's Dirichlet
 * draw (named `name` in `scheme` partition), is a positive finite number.
 */
export function assertConcentration(scheme: string, name: string, value: number): void {
  if (!(value > 0) || !Number.isFinite(value))
    throw new MsflError(
      'CONFIG_INVALID',
      `${scheme} partition: ${name} must be a positive number, got ${value}`,
    )
}
