import { MsflError } from '../errors/msflError.ts'

/**
 * Fixed-point quantisation of real-valued updates into the ring Z_{2^32}, where masks
 * are added (docs/secure-aggregation.md has the full analysis).
 *
 * A value x is clipped to [−c, c] and mapped to the integer q = round(x·B/c) in
 * [−B, B], stored in two's complement; the step is Δ = c/B. The ring holds the sum of
 * m ≤ n such integers without wrapping iff n·B ≤ 2^31 − 1: then every sum lies in
 * [−(2^31 − 1), 2^31 − 1] and is read back uniquely as a signed 32-bit integer.
 * Rounding costs at most Δ/2 per client, so |Δ·Σq − Σ clip(x)| ≤ m·Δ/2 (plus the float64
 * terms in quantisationErrorBound). The default B = ⌊(2^31 − 1)/n⌋ is the finest step the
 * ring allows for n clients.
 */
export interface Quantisation {
  /** c: inputs are clipped to [−c, c] before quantisation. */
  readonly clip: number
  /** B: the integer c is mapped to; the step is Δ = c/B. */
  readonly levels: number
}

/** The largest sum the ring represents as a signed value: 2^31 − 1. */
export const RING_MAX_SUM = 2 ** 31 - 1
const RING = 2 ** 32

/** The finest levels B for which n clients cannot overflow Z_{2^32}. */
export function defaultLevels(clients: number): number {
  return Math.floor(RING_MAX_SUM / clients)
}

/** Throws MsflError('CONFIG_INVALID') naming the field when the parameters are unusable or could overflow. */
export function checkQuantisation(q: Quantisation, clients: number): void {
  if (!Number.isFinite(q.clip) || q.clip <= 0)
    throw new MsflError(
      'CONFIG_INVALID',
      `quantisation.clip must be a positive finite number, got ${q.clip}`,
    )
  if (!Number.isSafeInteger(q.levels) || q.levels < 1)
    throw new MsflError(
      'CONFIG_INVALID',
      `quantisation.levels must be a positive integer, got ${q.levels}`,
    )
  if (!Number.isSafeInteger(clients) || clients < 1)
    throw new MsflError('CONFIG_INVALID', `clients must be a positive integer, got ${clients}`)
  if (clients * q.levels > RING_MAX_SUM)
    throw new MsflError(
      'CONFIG_INVALID',
      `quantisation.levels = ${q.levels} overflows Z_2^32 for ${clients} clients: clients × levels must be ≤ 2^31 − 1, so levels ≤ ${defaultLevels(clients)}`,
    )
}

/** Δ = c/B. */
export function quantisationStep(q: Quantisation): number {
  return q.clip / q.levels
}

/**
 * Quantises `values` into `out` (two's complement in Z_{2^32}). Non-finite values are
 * refused: clipping would silently turn NaN into an arbitrary contribution.
 */
export function quantiseInto(values: Float64Array, q: Quantisation, out: Uint32Array): void {
  if (out.length !== values.length)
    throw new MsflError(
      'PROTOCOL',
      `quantisation output has ${out.length} slots for ${values.length} values`,
    )
  const c = q.clip
  const b = q.levels
  const scale = b / c
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!
    if (!Number.isFinite(x))
      throw new MsflError(
        'PROTOCOL',
        `input value ${i} is ${x}; secure aggregation needs finite numbers`,
      )
    const clipped = Math.min(c, Math.max(-c, x))
    let v = Math.round(clipped * scale)
    // Float rounding of clipped·scale can reach B + 2^-21 at most; the clamp keeps |q| ≤ B.
    if (v > b) v = b
    else if (v < -b) v = -b
    // Assigning a negative number to a Uint32Array stores it modulo 2^32.
    out[i] = v
  }
}

/** Reads a ring sum back as signed integers and scales by Δ. */
export function dequantiseSum(sum: Uint32Array, q: Quantisation): Float64Array {
  const step = quantisationStep(q)
  const out = new Float64Array(sum.length)
  for (let i = 0; i < sum.length; i++) {
    const s = sum[i]!
    out[i] = (s > RING_MAX_SUM ? s - RING : s) * step
  }
  return out
}

/**
 * Per-coordinate bound on |dequantised sum − Σ clip(x_u)| over m summands:
 * m·Δ·(1/2 + 2^-21) + m·c·2^-52. The 2^-21 covers float64 rounding of x·B/c (at most
 * 2^31·2^-52 before Math.round), the last term the float64 product S·Δ.
 */
export function quantisationErrorBound(q: Quantisation, summands: number): number {
  const step = quantisationStep(q)
  return summands * step * (0.5 + 2 ** -21) + summands * q.clip * 2 ** -52
}
