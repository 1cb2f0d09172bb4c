import { MsflError } from '../errors/msflError.ts'
import { assertValidF } from './assertUpdateCount.ts'
import type { AggregationResult, RobustRule } from './robustRule.ts'
import { assertSomeUpdates, checkUpdates } from './screenUpdates.ts'
import { medianOf } from './selectKth.ts'
import { vectorNorm } from './vectorNorm.ts'

export const FLTRUST_CITATION =
  'Cao, Fang, Liu, Gong, "FLTrust: Byzantine-robust Federated Learning via Trust Bootstrapping", NDSS 2021'

/**
 * FLTrust (Cao et al., NDSS 2021): trust bootstrapped from a server update g₀ that the
 * aggregator computes on a small clean dataset of its own (the model requestor's validation
 * rows), from the same global model.
 *
 * 1. Trust score TSᵢ = ReLU(cos(gᵢ, g₀)): an update pointing away from the server's gets 0.
 * 2. Each gᵢ is rescaled to ‖g₀‖, so no update counts more for being long (scaling attacks).
 * 3. Aggregate = Σ TSᵢ·(‖g₀‖/‖gᵢ‖)·gᵢ / Σ TSᵢ; when every score is 0 (or g₀ = 0), the zero
 *    update: nobody is trusted this round, and the model stays where it is.
 *
 * No assumption on f: the server update, not a majority, is the anchor, so FLTrust holds
 * any number of attackers as long as the clean data resembles the task. `selected` lists
 * the updates with positive trust.
 *
 * `ratio` > 0 adds a magnitude screen (msfl's, not the paper's): an update longer than ratio ×
 * the median update norm gets no trust. Rescaling makes a boosted update count as much as a
 * typical one, but no more; a model-replacement backdoor (boosted ×10) still points roughly
 * the task's way and keeps its full share. The screen removes it; it needs the median norm to
 * be honest, i.e. fewer than half the owners boosting.
 */
export function fltrust(
  updates: readonly Float64Array[],
  reference: Float64Array | undefined,
  ratio = 0,
): AggregationResult {
  const length = checkUpdates('fltrust', updates)
  if (reference === undefined)
    throw new MsflError(
      'CONFIG_INVALID',
      'fltrust needs the server update (the aggregator training on its own clean data); this runtime gives none',
    )
  if (reference.length !== length)
    throw new MsflError(
      'PROTOCOL',
      `fltrust: the server update has ${reference.length} values but updates have ${length}`,
    )
  const referenceNorm = vectorNorm(reference)
  const aggregate = new Float64Array(length)
  const selected: number[] = []
  if (referenceNorm === 0) return { aggregate, selected }
  const norms = updates.map(vectorNorm)
  const ceiling = ratio > 0 ? ratio * medianOf(norms) : Number.POSITIVE_INFINITY
  const weights = updates.map((u, i) => {
    const norm = norms[i]!
    if (norm === 0 || norm > ceiling) return 0
    let dot = 0
    for (let j = 0; j < length; j++) dot += u[j]! * reference[j]!
    return Math.max(0, dot / (norm * referenceNorm))
  })
  const total = weights.reduce((a, b) => a + b, 0)
  if (total === 0) return { aggregate, selected }
  updates.forEach((u, i) => {
    const trust = weights[i]!
    if (trust === 0) return
    selected.push(i)
    const c = (trust * referenceNorm) / (norms[i]! * total)
    for (let j = 0; j < length; j++) aggregate[j]! += c * u[j]!
  })
  return { aggregate, selected }
}

/**
 * The rule object: any f (the server update is the anchor; the magnitude screen, when on,
 * needs f < n/2); it needs `reference` in its input.
 */
export function createFltrustRule(options: { readonly ratio?: number } = {}): RobustRule {
  const ratio = options.ratio ?? 0
  if (!(Number.isFinite(ratio) && ratio >= 0))
    throw new MsflError(
      'CONFIG_INVALID',
      `fltrust: ratio must be a non-negative number; got ${options.ratio}`,
    )
  return {
    name: 'fltrust',
    citation: FLTRUST_CITATION,
    tolerance:
      ratio > 0
        ? 'any f for the trust scores; the magnitude screen needs f < n/2'
        : 'any f, given a server update from clean data',
    byzantineRobust: true,
    assertTolerates: (_n, f) => assertValidF('fltrust', f),
    aggregate: (input) => {
      assertSomeUpdates('fltrust', input.updates)
      assertValidF('fltrust', input.f)
      return fltrust(input.updates, input.reference, ratio)
    },
  }
}
