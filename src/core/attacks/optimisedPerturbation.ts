/**
 * The criterion of Shejwalkar and Houmansadr's aggregation-agnostic attacks ("Manipulating the Byzantine:
 * Optimizing Model Poisoning Attacks and Defenses for Federated Learning", NDSS 2021), with
 * full knowledge of the honest updates. Every attacker sends m = μ + γ·p, μ the mean honest
 * update and p = −σ (the coordinate-wise standard deviation, reversed: the paper's strongest
 * perturbation), with γ as large as the criterion allows, so m is no more of an outlier
 * than the honest updates already are:
 * - `min-max`: max over honest i of ‖m − uᵢ‖ ≤ the largest distance between two honest updates;
 * - `min-sum`: Σᵢ ‖m − uᵢ‖² ≤ the largest Σⱼ ‖uᵢ − uⱼ‖² of an honest update.
 */
export type PerturbationCriterion = 'min-max' | 'min-sum'

/** The crafted update, and the γ the search found. */
export interface OptimisedPerturbation {
  readonly update: Float64Array
  readonly gamma: number
}

/** Bisection steps after bracketing: γ to within 2⁻⁴⁰ of its bracket. */
const BISECTION_STEPS = 40
/** Doubling from γ = 1 stops here: beyond it the criterion is degenerate (σ ≈ 0). */
const MAX_GAMMA = 2 ** 40

/**
 * The Min-Max or Min-Sum update (Shejwalkar, Houmansadr, NDSS 2021; see PerturbationCriterion)
 * from the round's honest updates: γ is bracketed by doubling from 1 and then bisected, the
 * search the paper describes. Pure and deterministic, so every colluder computes the same m.
 */
export function optimisedPerturbation(
  honest: readonly Float64Array[],
  criterion: PerturbationCriterion,
): OptimisedPerturbation {
  const length = honest[0]!.length
  const n = honest.length
  const mu = new Float64Array(length)
  for (const u of honest) for (let j = 0; j < length; j++) mu[j]! += u[j]! / n
  const p = new Float64Array(length)
  for (let j = 0; j < length; j++) {
    let variance = 0
    for (const u of honest) variance += (u[j]! - mu[j]!) ** 2
    p[j] = -Math.sqrt(variance / n)
  }
  const squared = (a: Float64Array, b: Float64Array) => {
    let s = 0
    for (let j = 0; j < length; j++) s += (a[j]! - b[j]!) ** 2
    return s
  }
  const pairwise = honest.map((a) => honest.map((b) => squared(a, b)))
  const bound =
    criterion === 'min-max'
      ? Math.max(...pairwise.map((row) => Math.max(...row)))
      : Math.max(...pairwise.map((row) => row.reduce((s, d) => s + d, 0)))
  const candidate = (gamma: number) => mu.map((m, j) => m + gamma * p[j]!)
  const holds = (gamma: number) => {
    const m = candidate(gamma)
    const distances = honest.map((u) => squared(m, u))
    const score =
      criterion === 'min-max' ? Math.max(...distances) : distances.reduce((s, d) => s + d, 0)
    return score <= bound
  }
  // γ = 0 (the mean itself) always holds: its distances are at most the honest maxima.
  let low = 0
  let high = 1
  while (holds(high) && high < MAX_GAMMA) {
    low = high
    high *= 2
  }
  if (holds(high)) low = high
  else
    for (let step = 0; step < BISECTION_STEPS; step++) {
      const middle = (low + high) / 2
      if (holds(middle)) low = middle
      else high = middle
    }
  return { update: candidate(low), gamma: low }
}
