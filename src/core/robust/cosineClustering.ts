import { coordinateMedian } from './coordinateMedian.ts'
import { linearCombination } from './linearCombination.ts'
import { majorityHonestRule } from './majorityHonestRule.ts'
import type { AggregationResult } from './robustRule.ts'
import { checkUpdates } from './screenUpdates.ts'

export const COSINE_CLUSTERING_CITATION =
  'Nguyen et al., "FLAME: Taming Backdoors in Federated Learning", USENIX Security 2022 (majority cluster of cosine distances)'

/**
 * Cosine clustering: keeps the majority cluster of updates by direction and averages it.
 *
 * 1. Each update's deviation from the coordinate-wise median, δᵢ = uᵢ − med(u).
 *    Deviations rather than raw updates make the rule invariant under any common
 *    affine map u ↦ c·u + d (the median maps along, d cancels and |c| divides out of
 *    every cosine), which is what lets the MS-FL requestor run it on `global-scale`
 *    masked gradients and select exactly the owners it would select in the clear.
 * 2. Distances 1 − cos(δᵢ, δₖ); a zero deviation has distance 0 to everything (the
 *    median itself is the most typical update).
 * 3. Average-linkage agglomerative clustering, merging the closest pair of clusters
 *    until one holds a majority ⌊n/2⌋ + 1 (FLAME's minimum cluster size): honest
 *    updates point in similar directions and merge first, a coordinated attack
 *    forms its own minority cluster.
 * 4. An update outside that cluster joins it when its deviation points, on average,
 *    the same way as the members' (average cosine distance below 1), or when it is no
 *    further from them than the cluster's own most atypical member is from the
 *    others: honest stragglers are not dropped for merely being merged last.
 *
 * The aggregate is the plain mean of the selected updates. Tolerates f < n/2 when
 * the attackers' deviations point away from the honest ones; attackers that mimic the
 * honest direction are selected but then also do little harm. O(n³) in the number of
 * updates, O(n²·d) for the cosines.
 */
export function cosineClustering(updates: readonly Float64Array[]): AggregationResult {
  const length = checkUpdates('cosine-clustering', updates)
  const n = updates.length
  const median = coordinateMedian(updates).aggregate
  const deviations = updates.map((u) => u.map((v, j) => v - median[j]!))
  const norms = deviations.map((d) => Math.sqrt(d.reduce((s, v) => s + v * v, 0)))
  const distance = new Float64Array(n * n)
  for (let i = 0; i < n; i++)
    for (let k = i + 1; k < n; k++) {
      let dot = 0
      const a = deviations[i]!
      const b = deviations[k]!
      for (let j = 0; j < length; j++) dot += a[j]! * b[j]!
      const denominator = norms[i]! * norms[k]!
      const value = denominator > 0 ? 1 - dot / denominator : 0
      distance[i * n + k] = value
      distance[k * n + i] = value
    }

  const majority = (n >> 1) + 1
  let clusters: number[][] = Array.from({ length: n }, (_, i) => [i])
  const linkage = (a: readonly number[], b: readonly number[]) => {
    let sum = 0
    for (const i of a) for (const k of b) sum += distance[i * n + k]!
    return sum / (a.length * b.length)
  }
  while (!clusters.some((c) => c.length >= majority)) {
    let best = Number.POSITIVE_INFINITY
    let pair: [number, number] = [0, 1]
    for (let a = 0; a < clusters.length; a++)
      for (let b = a + 1; b < clusters.length; b++) {
        const d = linkage(clusters[a]!, clusters[b]!)
        // Strict < keeps the first (lowest-index) pair on ties: deterministic.
        if (d < best) {
          best = d
          pair = [a, b]
        }
      }
    const [a, b] = pair
    const merged = [...clusters[a]!, ...clusters[b]!].sort((x, y) => x - y)
    clusters = [...clusters.filter((_, c) => c !== a && c !== b), merged]
  }
  const core = clusters.find((c) => c.length >= majority)!
  let radius = 0
  for (const k of core)
    radius = Math.max(radius, (linkage([k], core) * core.length) / Math.max(1, core.length - 1))
  const selected = [...core]
  for (let i = 0; i < n; i++)
    if (!core.includes(i) && linkage([i], core) < Math.max(radius, 1)) selected.push(i)
  selected.sort((a, b) => a - b)
  const coefficients = new Float64Array(n)
  for (const i of selected) coefficients[i] = 1 / selected.length
  return { aggregate: linearCombination(updates, coefficients, length), selected }
}

export const cosineClusteringRule = majorityHonestRule({
  name: 'cosine-clustering',
  citation: COSINE_CLUSTERING_CITATION,
  aggregate: cosineClustering,
})
