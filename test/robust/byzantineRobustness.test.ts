import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { centeredClipping } from '../../src/core/robust/centeredClipping.ts'
import { createRobustRule } from '../../src/core/robust/createRobustRule.ts'
import { fedAvg } from '../../src/core/robust/fedAvg.ts'
import { geometricMedian } from '../../src/core/robust/geometricMedian.ts'
import { medianOf } from '../../src/core/robust/selectKth.ts'
import { vectorDistance, vectorNorm } from '../../src/core/robust/vectorNorm.ts'
import { OUTLIER_KINDS, scenario, withinBox } from './fixtures.ts'

// 10 honest updates in a box plus f = 2 attackers (n = 12): within every rule's
// requirement, including Bulyan's n ≥ 4f + 3 = 11.
const f = 2

describe('robust rules under f = 2 attackers among 10 honest updates', () => {
  for (const kind of OUTLIER_KINDS) {
    it(`stay inside the honest per-coordinate range (${kind} attackers)`, () => {
      const { updates, honest, lo, hi } = scenario(kind, f)
      for (const name of ['krum', 'multi-krum', 'median', 'trimmed-mean', 'bulyan', 'msfl']) {
        const result = createRobustRule(name, { f }).aggregate({ updates, f })
        assert.ok(withinBox(result.aggregate, lo, hi), `${name}: ${[...result.aggregate]}`)
        // Bulyan may pick an attacker in its last Krum rounds, when the pool is
        // small; its coordinate step then trims it. The Krum family must not.
        if (result.selected && name !== 'bulyan')
          for (const i of result.selected)
            assert.ok(honest.includes(i), `${name} selected attacker ${i}`)
        if (result.componentSelection) {
          const { selected, t, components } = result.componentSelection
          for (let j = 0; j < components; j++)
            for (const i of honest) assert.equal(selected[j * t + i], 1, `msfl dropped honest ${i}`)
        }
      }
      // FedAvg, for contrast, is dragged out of the box.
      assert.ok(!withinBox(fedAvg(updates).aggregate, lo, hi))
    })

    it(`centered clipping stays within the range widened by L·f·τ/n (${kind} attackers)`, () => {
      // From a center c, one iteration gives v' = (1 − Σₕ aₕ/n)·v + Σₕ (aₕ/n)·xₕ + B,
      // with aₕ ∈ [0, 1] the honest clipping factors: a convex combination of v and
      // the honest points, plus the attackers' term B, whose every coordinate is at
      // most f·τ/n in size (each clipped difference has norm ≤ τ). So per
      // coordinate v stays in [min(lo, c), max(hi, c)] widened by f·τ/n per
      // iteration. With the default τ = median distance to c and f < n/2, τ is at
      // most the largest honest distance, so the bound holds whatever attackers send.
      const { updates, honest, lo, hi } = scenario(kind, f)
      const n = updates.length
      const iterations = 3
      const zero = new Float64Array(lo.length)
      const tau = medianOf(updates.map(vectorNorm))
      assert.ok(tau <= Math.max(...honest.map((i) => vectorNorm(updates[i]!))))
      const slack = (iterations * f * tau) / n
      const widenedLo = lo.map((x) => Math.min(x, 0) - slack)
      const widenedHi = hi.map((x) => Math.max(x, 0) + slack)
      const out = centeredClipping(updates, { iterations, center: zero }).aggregate
      assert.ok(withinBox(out, widenedLo, widenedHi), [...out].join())
      // The rule object computes the same thing on its first call.
      const rule = createRobustRule('centered-clipping', { f })
      assert.deepEqual(rule.aggregate({ updates, f }).aggregate, out)
    })

    it(`geometric median stays within (1 − α)/√(1 − 2α) honest radii of the honest centroid (${kind} attackers)`, () => {
      // Minsker (2015), Lemma 2.1: if at most a fraction α < 1/2 of the points lies
      // farther than r from z, the geometric median is within C_α·r of z. The
      // coordinate-wise range is not guaranteed: the geometric median can leave it.
      const { updates, honest } = scenario(kind, f)
      const alpha = f / updates.length
      const dim = updates[0]!.length
      const z = Float64Array.from(
        { length: dim },
        (_, j) => honest.reduce((s, i) => s + updates[i]![j]!, 0) / honest.length,
      )
      const r = Math.max(...honest.map((i) => vectorDistance(updates[i]!, z)))
      const bound = ((1 - alpha) / Math.sqrt(1 - 2 * alpha)) * r
      const gm = geometricMedian(updates).aggregate
      assert.ok(vectorDistance(gm, z) <= bound * (1 + 1e-6), `${vectorDistance(gm, z)} > ${bound}`)
      assert.deepEqual(createRobustRule('geomed', { f }).aggregate({ updates, f }).aggregate, gm)
    })
  }
})
