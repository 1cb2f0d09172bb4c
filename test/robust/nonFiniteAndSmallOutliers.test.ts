import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MsflError } from '../../src/core/errors/msflError.ts'
import { createRobustRule } from '../../src/core/robust/createRobustRule.ts'
import { screenUpdates } from '../../src/core/robust/screenUpdates.ts'
import { scenario, withinBox } from './fixtures.ts'

const robust = ['krum', 'multi-krum', 'median', 'trimmed-mean', 'bulyan', 'geomed', 'msfl']
const f = 2

describe('NaN, ±Infinity and near-zero attackers', () => {
  // Honest coordinates lie in [j % 3 − 1, j % 3 + 1]: a box that excludes 1e-300 in
  // the coordinates with j % 3 = 2, so near-zero attackers are outliers there.
  const base = scenario('huge', f)
  const withAttackers = (make: (k: number) => Float64Array) => {
    let k = 0
    return base.updates.map((u, i) => (base.honest.includes(i) ? u : make(k++)))
  }

  for (const [label, make] of [
    ['NaN', () => new Float64Array(8).fill(Number.NaN)],
    ['+Infinity', () => new Float64Array(8).fill(Number.POSITIVE_INFINITY)],
    [
      '−Infinity in one component',
      () => Float64Array.from({ length: 8 }, (_, j) => (j === 3 ? Number.NEGATIVE_INFINITY : 1)),
    ],
  ] as const) {
    it(`${label}: screened out with a reason before any rule, and the rules refuse it outright`, () => {
      const updates = withAttackers(make)
      const screened = screenUpdates(updates, 8)
      assert.equal(screened.rejected.length, f)
      for (const r of screened.rejected) assert.match(r.reason, /NaN|Infinity/)
      const accepted = screened.accepted.map((i) => updates[i]!)
      for (const name of robust) {
        const rule = createRobustRule(name, { f: 0 })
        assert.ok(
          withinBox(rule.aggregate({ updates: accepted, f: 0 }).aggregate, base.lo, base.hi),
          name,
        )
        assert.throws(
          () => createRobustRule(name, { f }).aggregate({ updates, f }),
          (e: unknown) => e instanceof MsflError && /NaN|Infinity/.test(e.message),
          `${name} must refuse non-finite input`,
        )
      }
    })
  }

  it('near-zero (1e-300) attackers never pull a robust rule outside the honest range', () => {
    const updates = withAttackers(() => new Float64Array(8).fill(1e-300))
    // The geometric median is bounded, not boxed: see byzantineRobustness.test.ts.
    for (const name of robust.filter((r) => r !== 'geomed')) {
      const result = createRobustRule(name, { f }).aggregate({ updates, f }).aggregate
      assert.ok(withinBox(result, base.lo, base.hi), `${name}: ${[...result]}`)
    }
  })
})
