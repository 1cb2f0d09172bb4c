import { MsflError } from '../errors/msflError.ts'
import { DEFAULT_RDP_ORDERS, type PriorRelease } from './rdpAccountant.ts'
import { type RdpConversion, rdpToEpsilon } from './rdpToEpsilon.ts'
import { sampledGaussianRdp } from './sampledGaussianRdp.ts'

/** An (ε, δ) budget to calibrate noise for, and how it is accounted. */
export interface DpBudget {
  /** ε the whole run may spend. */
  readonly targetEpsilon: number
  readonly delta: number
  readonly orders?: readonly number[]
  readonly conversion?: RdpConversion
  /** Releases already charged to the same budget; σ is found for what they leave. */
  readonly prior?: readonly PriorRelease[]
}

/** A budget and the mechanism it covers: `steps` Poisson-sampled Gaussian releases. */
export interface NoiseTarget extends DpBudget {
  /** Poisson sampling rate q of every step. */
  readonly samplingRate: number
  /** Steps the run will take in total. */
  readonly steps: number
  /** Relative width of the final bracket (default 1e−6). */
  readonly precision?: number
}

/** Beyond this σ a budget is considered unreachable (the updates would be pure noise). */
const MAX_NOISE_MULTIPLIER = 1e6

/**
 * The smallest noise multiplier σ (to `precision`) for which `steps` sampled Gaussian
 * steps at rate q stay within (targetEpsilon, δ). ε falls as σ grows at every RDP
 * order, so bisection on σ is exact up to the bracket; the upper end is returned, which
 * always satisfies the target (the run never overspends by rounding).
 */
export function findNoiseMultiplier(target: NoiseTarget): number {
  const { targetEpsilon, delta, samplingRate, steps } = target
  const orders = target.orders ?? DEFAULT_RDP_ORDERS
  const precision = target.precision ?? 1e-6
  if (!(targetEpsilon > 0 && Number.isFinite(targetEpsilon)))
    throw invalid(`targetEpsilon must be a finite number > 0, got ${targetEpsilon}`)
  if (!Number.isInteger(steps) || steps < 1)
    throw invalid(`steps must be an integer >= 1, got ${steps}`)
  if (!(samplingRate > 0 && samplingRate <= 1))
    throw invalid(`samplingRate must be in (0, 1], got ${samplingRate}`)
  if (!(precision > 0 && precision < 1))
    throw invalid(`precision must be in (0, 1), got ${precision}`)

  const spentBefore = new Float64Array(orders.length)
  for (const { mechanism, steps: count } of target.prior ?? []) {
    const curve = sampledGaussianRdp(mechanism.samplingRate, mechanism.noiseMultiplier, orders)
    for (let k = 0; k < orders.length; k++) spentBefore[k]! += count * curve[k]!
  }
  const epsilon = (sigma: number): number => {
    const rdp = sampledGaussianRdp(samplingRate, sigma, orders).map(
      (r, k) => r * steps + spentBefore[k]!,
    )
    return rdpToEpsilon(orders, rdp, delta, target.conversion).epsilon
  }
  let hi = 1
  while (epsilon(hi) > targetEpsilon) {
    hi *= 2
    if (hi > MAX_NOISE_MULTIPLIER)
      throw invalid(
        `no noise multiplier up to ${MAX_NOISE_MULTIPLIER} reaches ε = ${targetEpsilon} at δ = ${delta} ` +
          `over ${steps} steps with q = ${samplingRate}; raise the budget or take fewer steps`,
      )
  }
  let lo = hi / 2
  while (lo > 1e-6 && epsilon(lo) <= targetEpsilon) {
    hi = lo
    lo /= 2
  }
  while (hi - lo > precision * hi) {
    const mid = (lo + hi) / 2
    if (epsilon(mid) <= targetEpsilon) hi = mid
    else lo = mid
  }
  return hi
}

function invalid(message: string): MsflError {
  return new MsflError('CONFIG_INVALID', `differential privacy: ${message}`)
}
