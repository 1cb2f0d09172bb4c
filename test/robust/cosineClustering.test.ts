import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'
import { cosineClustering } from '../../src/core/robust/cosineClustering.ts'
import { createRobustRule } from '../../src/core/robust/createRobustRule.ts'

/** 7 honest updates around a direction, plus attackers pushing the other way. */
function scenario(attackers: number, seed = 3) {
  const rng = createSeededRng(seed)
  const d = 50
  const direction = Float64Array.from({ length: d }, () => rng.normal())
  const honest = Array.from({ length: 7 }, () => direction.map((v) => v + 0.6 * rng.normal()))
  const evil = Array.from({ length: attackers }, () =>
    direction.map((v) => -3 * v + 0.1 * rng.normal()),
  )
  return [...honest, ...evil]
}

describe('cosine clustering', () => {
  it('keeps the honest majority and drops a coordinated attack', () => {
    const result = cosineClustering(scenario(3))
    assert.deepEqual(result.selected, [0, 1, 2, 3, 4, 5, 6])
    const honestMean = scenario(3)
      .slice(0, 7)
      .reduce((s, u) => s.map((v, j) => v + u[j]! / 7), new Float64Array(50))
    for (const [j, v] of result.aggregate.entries()) assert.ok(Math.abs(v - honestMean[j]!) < 1e-12)
  })

  it('selects the same owners under any common affine map c·u + d', () => {
    const updates = scenario(3, 9)
    const rng = createSeededRng(4)
    const shift = Float64Array.from({ length: 50 }, () => 8 * rng.normal())
    for (const c of [1.7, -0.6]) {
      const mapped = updates.map((u) => u.map((v, j) => c * v + shift[j]!))
      assert.deepEqual(cosineClustering(mapped).selected, cosineClustering(updates).selected)
    }
  })

  it('keeps at least a majority without attackers, and needs f < n/2', () => {
    const selected = cosineClustering(scenario(0)).selected!
    assert.ok(selected.length >= 4, `${selected}`)
    const rule = createRobustRule('cosine-clustering', { f: 3 })
    assert.equal(rule.name, 'cosine-clustering')
    assert.throws(() => rule.assertTolerates(6, 3), { code: 'CONFIG_INVALID' })
    assert.throws(() => cosineClustering([]), { code: 'PROTOCOL' })
  })
})
