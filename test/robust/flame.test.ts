import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Rng } from '../../src/core/rng/rng.ts'
import { createRobustRule } from '../../src/core/robust/createRobustRule.ts'
import { flame } from '../../src/core/robust/flame.ts'
import { assertNear, updatesOf } from './fixtures.ts'

/** Every normal draw is 1, so the noise is exactly σ per coordinate. */
const unitNoise: Rng = { kind: 'seeded', next: () => 0, nextInt: () => 0, normal: () => 1 }

describe('flame', () => {
  it('drops the minority cluster and clips the rest to the median norm', () => {
    // Deviations from the median [6, 8]: [−3, −4], [0, 0], [24, 32]; the majority cluster
    // is {0, 1}, and update 2 (cosine distance 2 from update 0) stays out.
    const updates = updatesOf([3, 4], [6, 8], [30, 40])
    const result = flame(updates, { lambda: 0, rng: unitNoise })
    assert.deepEqual(result.selected, [0, 1])
    assert.equal(result.clipBound, 10) // median of the norms 5, 10, 50
    assertNear(result.aggregate, [4.5, 6])
  })
  it('scales admitted updates above the median norm down to it', () => {
    // Norms 10, 20, 30, 10 → S = 15; all four form the majority cluster here, so
    // [0, 20] and [0, 30] are clipped to [0, 15]: mean ([0, 10] + 2·[0, 15] + [10, 0]) / 4.
    const updates = updatesOf([0, 10], [0, 20], [0, 30], [10, 0])
    const result = flame(updates, { lambda: 0, rng: unitNoise })
    assert.deepEqual(result.selected, [0, 1, 2, 3])
    assert.equal(result.clipBound, 15)
    assertNear(result.aggregate, [2.5, 10])
  })
  it('adds N(0, (λ·S)²) noise from the Rng it is given', () => {
    const updates = updatesOf([3, 4], [6, 8], [30, 40])
    // λ = 0.1, S = 10: σ = 1, and every draw is 1 → +1 per coordinate.
    assertNear(flame(updates, { lambda: 0.1, rng: unitNoise }).aggregate, [5.5, 7])
  })
  it('is named flame:lambda=…, needs an Rng and an honest majority', () => {
    const rule = createRobustRule('flame:lambda=0.01', { f: 1 }, unitNoise)
    assert.equal(rule.spec, 'flame:f=1,lambda=0.01')
    assert.match(rule.citation, /FLAME.*USENIX Security 2022/)
    assert.throws(
      () => createRobustRule('flame', { f: 0 }).aggregate({ updates: updatesOf([1], [2]), f: 0 }),
      /flame draws random numbers/,
    )
    assert.throws(
      () => createRobustRule('flame:lambda=-1', { f: 0 }, unitNoise),
      /lambda must be a non-negative number; got '-1'/,
    )
    assert.throws(() => rule.assertTolerates(4, 2), /flame needs n ≥ 2f \+ 1/)
  })
})
