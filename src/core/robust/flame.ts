import { MsflError } from '../errors/msflError.ts'
import type { Rng } from '../rng/rng.ts'
import { cosineClustering } from './cosineClustering.ts'
import { majorityHonestRule } from './majorityHonestRule.ts'
import type { AggregationResult, RobustRule } from './robustRule.ts'
import { checkUpdates } from './screenUpdates.ts'
import { medianOf } from './selectKth.ts'
import { vectorNorm } from './vectorNorm.ts'

export const FLAME_CITATION =
  'Nguyen et al., "FLAME: Taming Backdoors in Federated Learning", USENIX Security 2022'

/** FLAME's noise level and where its noise comes from. */
export interface FlameOptions {
  /**
   * Noise level factor λ ≥ 0: the Gaussian noise added to the aggregate has σ = λ·S, S the
   * clipping bound. The paper uses 0.001 for image classification (the default) and 0.01 for
   * word prediction; 0 turns the noise off.
   */
  readonly lambda?: number
  /**
   * The noise source: the runtime's CSPRNG in a deployment (an attacker who can predict
   * the noise can cancel it), a seeded Rng only in a simulation.
   */
  readonly rng: Rng
}

/** The aggregate, which updates the clustering admitted, and the clipping bound S it used. */
export interface FlameResult extends AggregationResult {
  readonly selected: readonly number[]
  readonly clipBound: number
}

/**
 * FLAME (Nguyen et al., USENIX Security 2022), on updates (deltas from the global model):
 *
 * 1. Filtering: the majority cluster by direction (cosineClustering: average-linkage
 *    clustering of cosine distances until one cluster holds ⌊n/2⌋ + 1, FLAME's minimum
 *    cluster size; it stands in for the paper's HDBSCAN with that minimum). Updates outside
 *    it are dropped: they point elsewhere than the honest majority.
 * 2. Adaptive clipping: S = the median of all n update norms (a minority cannot inflate it);
 *    each admitted update is scaled by min(1, S/‖uᵢ‖), so a boosted (model-replacement)
 *    update counts no more than a typical one.
 * 3. Aggregation: the mean of the clipped admitted updates.
 * 4. Adaptive noise: N(0, (λ·S)²) per coordinate, to wash out what is left of a backdoor.
 *
 * On privacy, honestly: the noise is FLAME's backdoor-removal step, not a differential-privacy
 * guarantee. Each admitted owner moves the mean by at most S/m (m admitted), so the noise
 * multiplier is σ/(S/m) = λ·m, e.g. 0.02 for λ = 0.001 and m = 20: far below the ≈ 1 any
 * useful (ε, δ) needs. Use `--privacy dp` for a privacy guarantee.
 */
export function flame(updates: readonly Float64Array[], options: FlameOptions): FlameResult {
  const length = checkUpdates('flame', updates)
  const lambda = options.lambda ?? 0.001
  assertLambda(lambda)
  // cosineClustering always reports the cluster it averaged.
  const selected = cosineClustering(updates).selected!
  const norms = updates.map(vectorNorm)
  const clipBound = medianOf(norms)
  const aggregate = new Float64Array(length)
  for (const i of selected) {
    const norm = norms[i]!
    // norm = 0 adds nothing; an infinite norm cannot reach here (checkUpdates rejects it).
    if (norm === 0) continue
    const c = Math.min(1, clipBound / norm) / selected.length
    const u = updates[i]!
    for (let j = 0; j < length; j++) aggregate[j]! += c * u[j]!
  }
  const sigma = lambda * clipBound
  if (sigma > 0) for (let j = 0; j < length; j++) aggregate[j]! += sigma * options.rng.normal()
  return { aggregate, selected, clipBound }
}

function assertLambda(lambda: number): void {
  if (!(Number.isFinite(lambda) && lambda >= 0))
    throw new MsflError(
      'CONFIG_INVALID',
      `flame: lambda (noise level) must be a non-negative number; got ${lambda}`,
    )
}

/** The rule object; it needs an honest majority, as the majority cluster does. */
export function createFlameRule(options: FlameOptions): RobustRule {
  assertLambda(options.lambda ?? 0.001)
  return majorityHonestRule({
    name: 'flame',
    citation: FLAME_CITATION,
    aggregate: (updates) => {
      const { aggregate, selected } = flame(updates, options)
      return { aggregate, selected }
    },
  })
}
