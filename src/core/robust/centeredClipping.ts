import { MsflError } from '../errors/msflError.ts'
import { majorityHonestRule } from './majorityHonestRule.ts'
import type { AggregationResult, RobustRule } from './robustRule.ts'
import { checkUpdates } from './screenUpdates.ts'
import { medianOf } from './selectKth.ts'
import { vectorDistance } from './vectorNorm.ts'

export interface CenteredClippingOptions {
  /** Clipping radius τ > 0; default the median of ‖xᵢ − center‖ (see centeredClipping). */
  readonly tau?: number
  /** Clipping iterations L ≥ 1; default 3. */
  readonly iterations?: number
  /** Starting point v₀, the previous round's aggregate; default the zero vector. */
  readonly center?: Float64Array
  /**
   * Momentum β ∈ [0, 1) of the rule object (createCenteredClippingRule): its output is
   * mₜ = β·mₜ₋₁ + (1 − β)·CC(updates, from mₜ₋₁); default 0 (plain CC re-centred each round).
   */
  readonly momentum?: number
}

const CITATION =
  'Karimireddy, He, Jaggi, "Learning from History for Byzantine Robust Optimization", ICML 2021'

/**
 * Centered clipping (Karimireddy, He, Jaggi, ICML 2021):
 * v ← v + (1/n)·Σ clip(xᵢ − v, τ) for L iterations, starting from `center`, where
 * clip(z, τ) = z·min(1, τ/‖z‖). Each update moves the result by at most τ/n per
 * iteration, whatever it contains.
 *
 * Default τ: the paper sets τ from the honest updates' variance, which the server
 * does not know. The median of ‖xᵢ − center‖ is a data-driven stand-in that a
 * minority cannot inflate: with f < n/2 it is at most the largest honest distance
 * to the center. It is computed once, at the start, and kept for all L iterations.
 *
 * Tolerance: assertTolerates enforces an honest majority, f < n/2, under which
 * the default τ is bounded as above. The paper's guarantee is narrower: it proves
 * CC a robust aggregator for a Byzantine fraction δ = f/n ≤ 0.1, with τ chosen
 * from the honest variance and a center close to the honest mean, which is why
 * the center should be the previous round's aggregate (the paper's worker
 * momentum keeps consecutive aggregates close).
 */
export function centeredClipping(
  updates: readonly Float64Array[],
  options: CenteredClippingOptions = {},
): AggregationResult {
  const length = checkUpdates('centered-clipping', updates)
  const n = updates.length
  const iterations = options.iterations ?? 3
  if (!Number.isInteger(iterations) || iterations < 1)
    throw new MsflError(
      'CONFIG_INVALID',
      `centered-clipping: iterations must be a positive integer; got ${iterations}`,
    )
  if (options.tau !== undefined && !(options.tau > 0 && Number.isFinite(options.tau)))
    throw new MsflError(
      'CONFIG_INVALID',
      `centered-clipping: tau must be a positive number; got ${options.tau}`,
    )
  const center = options.center ?? new Float64Array(length)
  if (center.length !== length)
    throw new MsflError(
      'PROTOCOL',
      `centered-clipping: center has ${center.length} values but updates have ${length}`,
    )
  let v = Float64Array.from(center)
  let distances = updates.map((x) => vectorDistance(x, v))
  const tau = options.tau ?? medianOf(distances)
  for (let l = 0; l < iterations; l++) {
    if (l > 0) distances = updates.map((x) => vectorDistance(x, v))
    const next = Float64Array.from(v)
    for (let i = 0; i < n; i++) {
      const d = distances[i]!
      // d = 0 contributes nothing; d = Infinity (overflowing attacker) contributes 0·(x − v) = 0.
      if (d === 0) continue
      const c = (d <= tau ? 1 : tau / d) / n
      if (c === 0) continue
      const x = updates[i]!
      for (let j = 0; j < length; j++) next[j]! += c * (x[j]! - v[j]!)
    }
    v = next
  }
  return { aggregate: v }
}

/**
 * The rule object for a run. Unless a fixed `center` is given, it remembers its
 * last aggregate and uses it as the next call's center, as the paper prescribes:
 * the rule is then stateful, so create one per run (createRobustRule does) and
 * never share it between runs. The first call starts from zero.
 */
export function createCenteredClippingRule(options: CenteredClippingOptions = {}): RobustRule {
  const beta = options.momentum ?? 0
  if (!(Number.isFinite(beta) && beta >= 0 && beta < 1))
    throw new MsflError(
      'CONFIG_INVALID',
      `centered-clipping: momentum must be a number in [0, 1); got ${options.momentum}`,
    )
  let previous = options.center
  return majorityHonestRule({
    name: 'centered-clipping',
    citation: CITATION,
    tolerance: 'f < n/2 (paper’s guarantee: f/n ≤ 0.1)',
    aggregate: (updates) => {
      const clipped = centeredClipping(updates, { ...options, center: previous }).aggregate
      const momentum = withMomentum(clipped, previous, beta)
      // A copy, so a caller mutating the returned aggregate cannot move the next center.
      if (options.center === undefined || beta > 0) previous = Float64Array.from(momentum)
      return { aggregate: momentum }
    },
  })
}

/**
 * β·m + (1 − β)·v, the paper's momentum moved to the server: in federated learning the rule
 * cannot keep a momentum per worker (updates arrive without a stable identity), and each
 * owner's local SGD momentum (`training.momentum`) already plays the worker's part within a
 * round. Across rounds it keeps consecutive aggregates, and so the next centre, close, which
 * is what the paper's analysis of CC needs.
 */
function withMomentum(
  v: Float64Array,
  previous: Float64Array | undefined,
  beta: number,
): Float64Array {
  if (beta === 0 || previous === undefined) return v
  const out = new Float64Array(v.length)
  for (let j = 0; j < v.length; j++) out[j] = beta * previous[j]! + (1 - beta) * v[j]!
  return out
}
