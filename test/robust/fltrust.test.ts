import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createRobustRule } from '../../src/core/robust/createRobustRule.ts'
import { fltrust } from '../../src/core/robust/fltrust.ts'
import { assertNear, updatesOf, vec } from './fixtures.ts'

describe('fltrust', () => {
  const reference = vec(3, 4) // ‖g₀‖ = 5
  it('weights each update by ReLU(cos) with the server update, rescaled to its norm', () => {
    // [6, 8]: cos 1, rescaled to [3, 4]. [0, 10]: cos 0.8, rescaled to [0, 5].
    // [−3, −4]: cos −1 → trust 0, left out. Aggregate ([3, 4] + 0.8·[0, 5]) / 1.8.
    const result = fltrust(updatesOf([6, 8], [0, 10], [-3, -4]), reference)
    assert.deepEqual(result.selected, [0, 1])
    assertNear(result.aggregate, [3 / 1.8, 8 / 1.8])
  })
  it('makes a boosted update count no more than a typical one', () => {
    const small = fltrust(updatesOf([3, 4], [0, 5]), reference).aggregate
    const boosted = fltrust(updatesOf([3000, 4000], [0, 5]), reference).aggregate
    assertNear(boosted, [...small])
  })
  it('moves nowhere when nobody points the server’s way, or the server update is zero', () => {
    assertNear(fltrust(updatesOf([-3, -4], [4, -3]), reference).aggregate, [0, 0])
    assertNear(fltrust(updatesOf([3, 4]), vec(0, 0)).aggregate, [0, 0])
  })
  it('with ratio, gives no trust to an update longer than ratio × the median norm', () => {
    // Norms 5, 5, 50 (median 5): with ratio 4 the boosted [30, 40] is out, though it points
    // exactly the server's way; without, it counts as much as the others.
    const updates = updatesOf([3, 4], [0, 5], [30, 40])
    const screened = fltrust(updates, reference, 4)
    assert.deepEqual(screened.selected, [0, 1])
    assertNear(screened.aggregate, [3 / 1.8, 8 / 1.8])
    assert.deepEqual(fltrust(updates, reference).selected, [0, 1, 2])
    const rule = createRobustRule('fltrust:ratio=4', { f: 0 })
    assert.equal(rule.spec, 'fltrust:f=0,ratio=4')
    assert.deepEqual(rule.aggregate({ updates, f: 0, reference }).selected, [0, 1])
  })
  it('holds any f, and refuses to run without a server update of the right length', () => {
    const rule = createRobustRule('fltrust', { tolerate: 0.3 })
    assert.ok(rule.needsReference)
    // Bucketing hands the server update on to fltrust inside it.
    assert.ok(createRobustRule('bucketing:rule=fltrust', { f: 0 }).needsReference)
    assert.ok(!createRobustRule('bucketing:rule=median', { f: 0 }).needsReference)
    rule.assertTolerates(3, 2) // a majority of attackers: the server update anchors it
    assert.throws(
      () => rule.aggregate({ updates: updatesOf([1, 2]), f: 0 }),
      /fltrust needs the server update/,
    )
    assert.throws(
      () => rule.aggregate({ updates: updatesOf([1, 2]), f: 0, reference: vec(1) }),
      /server update has 1 values but updates have 2/,
    )
  })
})
