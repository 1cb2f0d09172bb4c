import { assertUpdateCount } from './assertUpdateCount.ts'
import type { AggregationResult, ComponentSelection, RobustRule } from './robustRule.ts'
import { checkUpdates } from './screenUpdates.ts'
import { sortValues } from './sortValues.ts'

function assertMsflTolerates(t: number, f: number): void {
  assertUpdateCount('msfl', t, f, 2 * f < t && t >= f + 2, 'n ≥ 2f + 1 and n ≥ f + 2')
}

/**
 * The MS-FL per-component rule (Tameem, Sultana, Banu, "Multiple networks security
 * strategies for data sharing using MS-FL", IJDIM 2025; msfl SPEC C2, protocol
 * step 5). For every component j, over the t values b₁…b_t of that component:
 *
 * 1. sᵢ = Σ |bᵢ − b_k| over the t − f − 1 nearest other values;
 * 2. the centre c minimises sᵢ (ties: lowest owner index);
 * 3. the t − f owners nearest to b_c are selected, c itself always among them
 *    (equal distances: lowest owner index first);
 * 4. the component's aggregate is the mean of the selected values.
 *
 * Selection is per component, so an owner that deviates on a few components loses
 * only those (its payment share, see selectionShare, drops only there). Tolerates
 * f Byzantine owners when f < t/2 and t ≥ f + 2.
 *
 * In 1-D the k nearest neighbours of a point form a contiguous window of the
 * sorted values, and the best window start only moves right as the point does, so
 * after one sort all sᵢ take O(t) with prefix sums. The prefix sums are anchored at
 * the middle of the sorted order on values shifted by the middle value: every
 * window has t − f > t/2 values and so contains the middle, hence a window's sum
 * only ever involves values inside it and an attacker's 1e30 elsewhere cannot
 * swamp an honest window's sum in rounding error.
 */
export function msflComponentRule(updates: readonly Float64Array[], f: number): AggregationResult {
  const components = checkUpdates('msfl', updates)
  const t = updates.length
  assertMsflTolerates(t, f)
  const keep = t - f
  const neighbours = keep - 1
  const mid = t >> 1
  const out = new Float64Array(components)
  const selected = new Uint8Array(t * components)
  const raw = new Float64Array(t)
  const v = new Float64Array(t)
  const prefix = new Float64Array(t + 1)
  const tieValue = new Float64Array(t)
  const tiePosition = new Int32Array(t)

  for (let j = 0; j < components; j++) {
    for (let i = 0; i < t; i++) {
      const x = updates[i]![j]!
      raw[i] = x
      v[i] = x
    }
    sortValues(v, 0, t - 1)

    // prefix[b] − prefix[a] = Σ_{a ≤ q < b} (v[q] − v[mid]).
    const vm = v[mid]!
    prefix[mid] = 0
    for (let q = mid; q < t; q++) prefix[q + 1] = prefix[q]! + (v[q]! - vm)
    for (let q = mid - 1; q >= 0; q--) prefix[q] = prefix[q + 1]! - (v[q]! - vm)

    // Steps 1–2: window [L, L + neighbours] holds p and its nearest neighbours.
    let start = 0
    let best = Number.POSITIVE_INFINITY
    let ties = 0
    for (let p = 0; p < t; p++) {
      const vp = v[p]!
      if (start < p - neighbours) start = p - neighbours
      while (start < p && start + keep < t && v[start + keep]! - vp < vp - v[start]!) start++
      const end = start + neighbours
      const cp = vp - vm
      const s =
        prefix[end + 1]! -
        prefix[p + 1]! -
        (end - p) * cp +
        (p - start) * cp -
        (prefix[p]! - prefix[start]!)
      if (s < best) {
        best = s
        tieValue[0] = vp
        tiePosition[0] = p
        ties = 1
      } else if (s === best && vp !== tieValue[ties - 1]) {
        tieValue[ties] = vp
        tiePosition[ties] = p
        ties++
      }
    }
    let centre = -1
    let centrePosition = 0
    for (let i = 0; i < t && centre < 0; i++)
      for (let q = 0; q < ties; q++)
        if (raw[i] === tieValue[q]) {
          centre = i
          centrePosition = tiePosition[q]!
          break
        }
    const vc = raw[centre]!

    // Step 3: grow the window of the `keep` values nearest to b_c; radius is the
    // largest distance taken, inside counts those strictly closer than it.
    let l = centrePosition - 1
    let r = centrePosition + 1
    let radius = 0
    let inside = 0
    for (let count = 1; count < keep; count++) {
      let d: number
      if (l >= 0 && (r >= t || vc - v[l]! <= v[r]! - vc)) d = vc - v[l--]!
      else d = v[r++]! - vc
      if (d > radius) {
        inside = count
        radius = d
      }
    }
    // Owners at exactly `radius` fill the remaining places in index order; the
    // centre is placed first when it is one of them (radius 0).
    let quota = keep - inside - (radius === 0 ? 1 : 0)
    let sum = 0
    const row = j * t
    for (let i = 0; i < t; i++) {
      const x = raw[i]!
      const d = x >= vc ? x - vc : vc - x
      if (i === centre || d < radius || (d === radius && quota-- > 0)) {
        selected[row + i] = 1
        sum += x
      }
    }
    out[j] = sum / keep
  }
  return { aggregate: out, componentSelection: { selected, t, components } }
}

/**
 * For each owner, the fraction of components on which it was selected: the basis
 * of MS-FL payments. 0 for every owner when there are no components.
 */
export function selectionShare(selection: ComponentSelection): number[] {
  const { selected, t, components } = selection
  const counts = new Float64Array(t)
  for (let j = 0; j < components; j++) {
    const row = j * t
    for (let i = 0; i < t; i++) counts[i]! += selected[row + i]!
  }
  return Array.from(counts, (c) => (components === 0 ? 0 : c / components))
}

export const msflRule: RobustRule = {
  name: 'msfl',
  citation:
    'Tameem, Sultana, Banu, "Multiple networks security strategies for data sharing using MS-FL", IJDIM 2025 (SPEC C2 step 5)',
  tolerance: 'f < n/2 and n ≥ f + 2',
  byzantineRobust: true,
  assertTolerates: assertMsflTolerates,
  aggregate: (input) => msflComponentRule(input.updates, input.f),
}
