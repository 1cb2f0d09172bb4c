import { MsflError } from '../errors/msflError.ts'
import { coordinateMedian } from './coordinateMedian.ts'
import { linearCombination } from './linearCombination.ts'
import { majorityHonestRule } from './majorityHonestRule.ts'
import type { AggregationResult, RobustRule } from './robustRule.ts'
import { checkUpdates } from './screenUpdates.ts'
import { vectorDistance } from './vectorNorm.ts'

export interface GeometricMedianOptions {
  /** Maximum Weiszfeld iterations; default 100. */
  readonly iterations?: number
  /** Stop when the objective Σ‖v − xᵢ‖ changes by at most tolerance × objective; default 1e-7. */
  readonly tolerance?: number
  /** Smoothing ν (absolute, in update units): distances below ν count as ν, so a point at the estimate cannot divide by zero; default 1e-6. */
  readonly smoothing?: number
}

/**
 * Geometric median by the smoothed Weiszfeld algorithm, as in RFA (Pillutla,
 * Kakade, Harchaoui, "Robust Aggregation for Federated Learning", IEEE TSP 2022):
 * v ← Σ βᵢxᵢ / Σ βᵢ with βᵢ = 1 / max(ν, ‖v − xᵢ‖), started from the coordinate-wise
 * median (already robust, so few iterations are needed). Breakdown point 1/2:
 * tolerates f < n/2 Byzantine updates, in the sense that for any point z with
 * every honest update within r of it, the result is within (1 − α)/√(1 − 2α)·r of
 * z, α = f/n (Minsker 2015, Lemma 2.1), whatever the attackers send. Unlike the
 * coordinate-wise rules it may leave the honest per-coordinate range.
 *
 * Updates are weighted equally, not by example counts as in RFA: a count is the
 * client's own claim, and a Byzantine client would simply claim a large one.
 * Each iteration is two passes over the updates (distances, then the weighted
 * sum), both contiguous.
 */
export function geometricMedian(
  updates: readonly Float64Array[],
  options: GeometricMedianOptions = {},
): AggregationResult {
  const length = checkUpdates('geomed', updates)
  const iterations = options.iterations ?? 100
  const tolerance = options.tolerance ?? 1e-7
  const smoothing = options.smoothing ?? 1e-6
  if (!Number.isInteger(iterations) || iterations < 1)
    throw new MsflError(
      'CONFIG_INVALID',
      `geomed: iterations must be a positive integer; got ${iterations}`,
    )
  if (!(tolerance >= 0 && Number.isFinite(tolerance)))
    throw new MsflError(
      'CONFIG_INVALID',
      `geomed: tolerance must be a non-negative number; got ${tolerance}`,
    )
  if (!(smoothing > 0 && Number.isFinite(smoothing)))
    throw new MsflError(
      'CONFIG_INVALID',
      `geomed: smoothing must be a positive number; got ${smoothing}`,
    )
  const n = updates.length
  let v = coordinateMedian(updates).aggregate
  const beta = new Float64Array(n)
  let previous = Number.POSITIVE_INFINITY
  for (let l = 0; l < iterations; l++) {
    let objective = 0
    let total = 0
    for (let i = 0; i < n; i++) {
      const d = vectorDistance(updates[i]!, v)
      objective += d
      // An overflowing distance (values near 1e154 and beyond) gets weight 0, not NaN.
      beta[i] = 1 / Math.max(smoothing, d)
      total += beta[i]!
    }
    // total = 0 only if every distance overflowed; nothing sensible to reweight then.
    if (total === 0 || Math.abs(previous - objective) <= tolerance * objective) break
    previous = objective
    for (let i = 0; i < n; i++) beta[i] = beta[i]! / total
    v = linearCombination(updates, beta, length)
  }
  return { aggregate: v }
}

export function createGeometricMedianRule(options: GeometricMedianOptions = {}): RobustRule {
  return majorityHonestRule({
    name: 'geomed',
    citation:
      'Pillutla, Kakade, Harchaoui, "Robust Aggregation for Federated Learning", IEEE Trans. Signal Processing 70, 2022',
    aggregate: (updates) => geometricMedian(updates, options),
  })
}
