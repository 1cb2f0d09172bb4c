import { MsflError } from '../errors/msflError.ts'

/**
 * How an RDP curve becomes an (ε, δ) guarantee:
 * - `improved` (default): ε = RDP(α) + log(1 − 1/α) − (log δ + log α)/(α − 1), from
 *   Balle et al., "Hypothesis Testing Interpretations and Rényi Differential Privacy"
 *   (AISTATS 2020, Theorem 21) = Canonne, Kamath, Steinke (NeurIPS 2020, Proposition 12).
 *   Opacus ≥ 1.0 and Google's dp_accounting use it.
 * - `classic`: ε = RDP(α) + log(1/δ)/(α − 1), Mironov, "Rényi Differential Privacy"
 *   (CSF 2017, Proposition 3), which older TensorFlow Privacy releases used. Always
 *   larger (looser) than `improved` for α > 1.
 */
export type RdpConversion = 'improved' | 'classic'

export interface EpsilonAtOrder {
  readonly epsilon: number
  /** The order α that gave the smallest ε. */
  readonly bestOrder: number
}

/** The smallest ε over all orders at which the RDP curve gives (ε, δ)-DP. */
export function rdpToEpsilon(
  orders: readonly number[],
  rdp: ArrayLike<number>,
  delta: number,
  conversion: RdpConversion = 'improved',
): EpsilonAtOrder {
  if (orders.length === 0 || orders.length !== rdp.length)
    throw invalid(`need one RDP value per order, got ${rdp.length} for ${orders.length} orders`)
  if (!(delta > 0 && delta < 1)) throw invalid(`delta must be in (0, 1), got ${delta}`)
  let best = Number.POSITIVE_INFINITY
  let bestOrder = orders[0]!
  for (let k = 0; k < orders.length; k++) {
    const alpha = orders[k]!
    const r = rdp[k]!
    if (!(r >= 0)) throw invalid(`RDP at order ${alpha} is ${r}; it must be >= 0`)
    const epsilon = conversion === 'classic' ? classic(alpha, r, delta) : improved(alpha, r, delta)
    if (epsilon < best) {
      best = epsilon
      bestOrder = alpha
    }
  }
  return { epsilon: Math.max(0, best), bestOrder }
}

function classic(alpha: number, r: number, delta: number): number {
  return r - Math.log(delta) / (alpha - 1)
}

function improved(alpha: number, r: number, delta: number): number {
  // RDP at any order bounds the KL divergence, and δ ≥ √(1 − e^−KL) already gives ε = 0.
  if (delta * delta + Math.expm1(-r) >= 0) return 0
  // The bound is numerically unstable as α → 1 and useless there anyway.
  if (alpha <= 1.01) return Number.POSITIVE_INFINITY
  return r + Math.log1p(-1 / alpha) - Math.log(delta * alpha) / (alpha - 1)
}

function invalid(message: string): MsflError {
  return new MsflError('CONFIG_INVALID', `differential privacy: ${message}`)
}
