import { MsflError } from '../errors/msflError.ts'
import { type RdpConversion, rdpToEpsilon } from './rdpToEpsilon.ts'
import { sampledGaussianRdp } from './sampledGaussianRdp.ts'

/**
 * Orders at which RDP is tracked: 1.1 … 10.9 in steps of 0.1, 11 … 63, and 128 … 1024
 * (the defaults of Google's dp_accounting). Small σ or many steps push the best order
 * down to the fractional range; tiny q and large σ push it up to the large ones.
 */
export const DEFAULT_RDP_ORDERS: readonly number[] = Object.freeze([
  ...Array.from({ length: 99 }, (_, x) => 1 + (x + 1) / 10),
  ...Array.from({ length: 53 }, (_, x) => 11 + x),
  128,
  256,
  512,
  1024,
])

/** One application of the Poisson-subsampled Gaussian mechanism (sensitivity 1). */
export interface SampledGaussian {
  /** Probability q with which each record (or client) is included, in [0, 1]. */
  readonly samplingRate: number
  /** σ: noise standard deviation divided by the L2 sensitivity (the clipping norm). */
  readonly noiseMultiplier: number
}

/**
 * Mechanism applications already made on the same records before the ones being planned
 * (e.g. the noisy feature statistics a data owner released): composed first.
 */
export interface PriorRelease {
  readonly mechanism: SampledGaussian
  readonly steps: number
}

export interface RdpAccountantOptions extends Partial<SampledGaussian> {
  /** δ of the reported (ε, δ) guarantee, in (0, 1). */
  readonly delta: number
  readonly orders?: readonly number[]
  readonly conversion?: RdpConversion
}

export interface PrivacySpent {
  readonly epsilon: number
  readonly delta: number
  /** The RDP order at which the conversion to (ε, δ) was tightest. */
  readonly bestOrder: number
  /** Mechanism applications composed so far (all kinds together). */
  readonly steps: number
}

/**
 * Tracks the privacy loss of a run of sampled Gaussian steps by adding their RDP
 * curves (RDP composes additively at every order) and converting the total to (ε, δ)
 * on demand. `samplingRate` and `noiseMultiplier` given at creation are the default
 * mechanism; a step may name another one (heterogeneous composition, e.g. a round
 * whose noise was lowered by dropouts).
 */
export interface RdpAccountant {
  readonly delta: number
  readonly orders: readonly number[]
  /** Steps composed so far. */
  readonly steps: number
  /** Composes `count` more steps and returns the guarantee after them. */
  step(count?: number, mechanism?: SampledGaussian): PrivacySpent
  /** The guarantee of everything composed so far. */
  spent(): PrivacySpent
  /** The guarantee if `count` more steps were composed (nothing is recorded). */
  spentAfter(count: number, mechanism?: SampledGaussian): PrivacySpent
  /** Whether `count` more steps would take ε past `epsilonBudget`. */
  wouldExceed(epsilonBudget: number, count?: number, mechanism?: SampledGaussian): boolean
  /** How many more steps fit within `epsilonBudget` (Infinity when a step costs nothing). */
  remainingSteps(epsilonBudget: number, mechanism?: SampledGaussian): number
  /** The composed RDP at each order (a copy). */
  rdp(): Float64Array
}

/** Past this many steps a budget is treated as unlimited (q = 0 or σ = ∞ in practice). */
const STEP_SEARCH_LIMIT = 2 ** 40

export function createRdpAccountant(options: RdpAccountantOptions): RdpAccountant {
  const { delta } = options
  const orders = options.orders ?? DEFAULT_RDP_ORDERS
  const conversion = options.conversion ?? 'improved'
  if (!(delta > 0 && delta < 1)) throw invalid(`delta must be in (0, 1), got ${delta}`)
  if (orders.length === 0) throw invalid('the accountant needs at least one RDP order')
  const { samplingRate, noiseMultiplier } = options
  if ((samplingRate === undefined) !== (noiseMultiplier === undefined))
    throw invalid('give both samplingRate and noiseMultiplier for a default mechanism, or neither')
  const fallback =
    samplingRate === undefined || noiseMultiplier === undefined
      ? undefined
      : { samplingRate, noiseMultiplier }
  // Fail at creation, not at the first step, on an invalid default mechanism.
  if (fallback) sampledGaussianRdp(fallback.samplingRate, fallback.noiseMultiplier, [2])
  const perStep = new Map<string, Float64Array>()
  const total = new Float64Array(orders.length)
  let steps = 0

  const curve = (mechanism: SampledGaussian | undefined): Float64Array => {
    const m = mechanism ?? fallback
    if (!m) throw invalid('this accountant has no default mechanism; name one in each step')
    const key = `${m.samplingRate}|${m.noiseMultiplier}`
    let rdp = perStep.get(key)
    if (!rdp) {
      rdp = sampledGaussianRdp(m.samplingRate, m.noiseMultiplier, orders)
      perStep.set(key, rdp)
    }
    return rdp
  }
  const checkCount = (count: number): void => {
    if (!Number.isInteger(count) || count < 0)
      throw invalid(`a step count must be an integer >= 0, got ${count}`)
  }
  const convert = (rdp: ArrayLike<number>, totalSteps: number): PrivacySpent => {
    const { epsilon, bestOrder } = rdpToEpsilon(orders, rdp, delta, conversion)
    return { epsilon, delta, bestOrder, steps: totalSteps }
  }
  const spentAfter = (count: number, mechanism?: SampledGaussian): PrivacySpent => {
    checkCount(count)
    if (count === 0) return convert(total, steps)
    const rdp = curve(mechanism)
    const projected = total.map((r, k) => r + count * rdp[k]!)
    return convert(projected, steps + count)
  }

  return {
    delta,
    orders,
    get steps() {
      return steps
    },
    step(count = 1, mechanism) {
      checkCount(count)
      if (count > 0) {
        const rdp = curve(mechanism)
        for (let k = 0; k < total.length; k++) total[k]! += count * rdp[k]!
        steps += count
      }
      return convert(total, steps)
    },
    spent: () => convert(total, steps),
    spentAfter,
    wouldExceed(epsilonBudget, count = 1, mechanism) {
      return spentAfter(count, mechanism).epsilon > epsilonBudget
    },
    remainingSteps(epsilonBudget, mechanism) {
      if (!(epsilonBudget >= 0)) throw invalid(`an ε budget must be >= 0, got ${epsilonBudget}`)
      const fits = (count: number) => spentAfter(count, mechanism).epsilon <= epsilonBudget
      if (!fits(0)) return 0
      // ε grows with the number of steps, so double until over budget, then bisect.
      let lo = 0
      let hi = 1
      while (fits(hi)) {
        lo = hi
        hi *= 2
        if (hi > STEP_SEARCH_LIMIT) return Number.POSITIVE_INFINITY
      }
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2)
        if (fits(mid)) lo = mid
        else hi = mid
      }
      return lo
    },
    rdp: () => Float64Array.from(total),
  }
}

function invalid(message: string): MsflError {
  return new MsflError('CONFIG_INVALID', `differential privacy: ${message}`)
}
