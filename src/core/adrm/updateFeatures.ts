import { coordinateMedian } from '../robust/coordinateMedian.ts'

/**
 * Per-update statistics the detectors work on, one value per update in each array.
 *
 * Everything is measured against the coordinate-wise median m of the round (a centre
 * that up to half of the updates cannot drag anywhere) and through the deviations
 * δᵢ = uᵢ − m. Under a common affine map u ↦ c·u + d (the MS-FL `global-scale` mask,
 * c ≠ 0 shared by every component, d any vector) the median maps along, so every δᵢ
 * becomes c·δᵢ: d cancels, distances scale by |c| and cosines between deviations do
 * not change. Features marked *invariant* therefore rank updates the same way on
 * masked as on plain updates; the others need the true origin and are plaintext-only.
 */
export interface UpdateFeatures {
  /** The coordinate-wise median of the round. */
  readonly centre: Float64Array
  /** ‖uᵢ‖. Plaintext-only: a shift d changes every norm, and not in the same way. */
  readonly norm: Float64Array
  /** ‖uᵢ − m‖, distance to the centre. Invariant up to the common factor |c|. */
  readonly distance: Float64Array
  /**
   * cos(uᵢ, m), agreement with the consensus direction; 0 when either is zero.
   * Plaintext-only (it measures angles at the origin, which d moves); invariant under
   * a positive common scale alone.
   */
  readonly cosineToCentre: Float64Array
  /**
   * cos(δᵢ, μ − m) with μ the plain mean: how much of the pull of the mean away from
   * the robust centre this update accounts for. A minority that drags the average
   * (every untargeted poisoning does, that is its purpose) lines up with that pull;
   * honest deviations are spread in all directions. Invariant (c cancels, even c < 0);
   * 0 when the update or the pull is zero.
   */
  readonly pullAlignment: Float64Array
  /**
   * ‖uᵢ − u_k‖ to the nearest other update (on a coordinate sample when updates are
   * long, see NEAREST_SAMPLE). Honest updates never coincide: each carries its own
   * data's noise; colluding attackers that send one crafted vector (scaling of the
   * mean, IPM, ALIE) sit at distance 0 from each other. Invariant up to |c|.
   */
  readonly nearest: Float64Array
  /**
   * ‖μ − m‖, how far the plain mean has been pulled from the median (one number for
   * the round). Invariant up to |c|. Without attackers it is noise of order
   * typical distance / √n; a minority that drags the mean makes it much larger.
   */
  readonly pull: number
}

/**
 * Coordinates the nearest-neighbour distances are computed on at most: every
 * ⌈d / NEAREST_SAMPLE⌉-th one. Pairwise distances cost n²/2 × d, ten times the
 * median's cost at 100 × 100,000; a strided sample keeps them below it and still
 * finds exact duplicates (distance 0 on every sample). Exact below this length.
 */
export const NEAREST_SAMPLE = 8192

/** Names of the features, in the order of UpdateFeatures' per-update arrays. */
export const FEATURE_NAMES = [
  'norm',
  'distance',
  'cosineToCentre',
  'pullAlignment',
  'nearest',
] as const
export type FeatureName = (typeof FEATURE_NAMES)[number]

/** The features that stay meaningful under a common affine map (MS-FL `global-scale` masks). */
export const AFFINE_INVARIANT_FEATURES: readonly FeatureName[] = [
  'distance',
  'pullAlignment',
  'nearest',
]

/**
 * Computes every feature in three passes over the updates after the median: the
 * mean, then one fused pass per update for its four dot products, then the pairwise
 * distances on a sample. Float64Array loops with no per-element allocation: about
 * 6 × 10⁷ multiply-adds for 100 updates of 100,000 parameters, below the median's cost. Updates must have equal lengths
 * and finite values (the median checks and throws PROTOCOL otherwise).
 */
export function computeUpdateFeatures(updates: readonly Float64Array[]): UpdateFeatures {
  const centre = coordinateMedian(updates).aggregate
  const n = updates.length
  const length = centre.length
  const pull = new Float64Array(length)
  for (const u of updates) for (let j = 0; j < length; j++) pull[j]! += u[j]!
  let centreSquared = 0
  let pullSquared = 0
  for (let j = 0; j < length; j++) {
    pull[j] = pull[j]! / n - centre[j]!
    centreSquared += centre[j]! * centre[j]!
    pullSquared += pull[j]! * pull[j]!
  }
  const centreNorm = Math.sqrt(centreSquared)
  const pullNorm = Math.sqrt(pullSquared)

  const norm = new Float64Array(n)
  const distance = new Float64Array(n)
  const cosineToCentre = new Float64Array(n)
  const pullAlignment = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const u = updates[i]!
    let uu = 0
    let um = 0
    let dd = 0
    let dp = 0
    for (let j = 0; j < length; j++) {
      const v = u[j]!
      const d = v - centre[j]!
      uu += v * v
      um += v * centre[j]!
      dd += d * d
      dp += d * pull[j]!
    }
    norm[i] = Math.sqrt(uu)
    distance[i] = Math.sqrt(dd)
    cosineToCentre[i] = safeCosine(um, norm[i]!, centreNorm)
    pullAlignment[i] = safeCosine(dp, distance[i]!, pullNorm)
  }
  return {
    centre,
    norm,
    distance,
    cosineToCentre,
    pullAlignment,
    nearest: nearestDistances(updates, length),
    pull: pullNorm,
  }
}

/** Distance from each update to its nearest other one, on a strided coordinate sample. */
function nearestDistances(updates: readonly Float64Array[], length: number): Float64Array {
  const n = updates.length
  const stride = Math.max(1, Math.ceil(length / NEAREST_SAMPLE))
  const sampled = Math.ceil(length / stride)
  // Gather the sample once into one contiguous block: the pair loop then streams it.
  const block = new Float64Array(n * sampled)
  for (let i = 0; i < n; i++) {
    const u = updates[i]!
    for (let j = 0, k = i * sampled; j < length; j += stride, k++) block[k] = u[j]!
  }
  const nearest = new Float64Array(n).fill(Infinity)
  for (let a = 0; a < n; a++)
    for (let b = a + 1; b < n; b++) {
      let s = 0
      const oa = a * sampled
      const ob = b * sampled
      for (let k = 0; k < sampled; k++) {
        const d = block[oa + k]! - block[ob + k]!
        s += d * d
      }
      if (s < nearest[a]!) nearest[a] = s
      if (s < nearest[b]!) nearest[b] = s
    }
  // Rescaled to the full length so the value reads as a distance between whole updates.
  for (let i = 0; i < n; i++) nearest[i] = n > 1 ? Math.sqrt((nearest[i]! * length) / sampled) : 0
  return nearest
}

/** a·b / (‖a‖‖b‖), clamped to [−1, 1] against rounding; 0 when either vector is zero. */
function safeCosine(dot: number, normA: number, normB: number): number {
  const denominator = normA * normB
  if (!(denominator > 0)) return 0
  return Math.max(-1, Math.min(1, dot / denominator))
}
