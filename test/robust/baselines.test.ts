import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MsflError } from '../../src/core/errors/msflError.ts'
import { fedAvg, fedAvgRule } from '../../src/core/robust/fedAvg.ts'
import { createNormBoundRule, normBound } from '../../src/core/robust/normBound.ts'
import { updatesOf } from './fixtures.ts'

describe('fedAvg', () => {
  it('is the example-weighted mean, equal weights by default', () => {
    const updates = updatesOf([0, 10], [4, 2])
    // (1·[0, 10] + 3·[4, 2]) / 4 = [12, 16] / 4
    assert.deepEqual([...fedAvg(updates, [1, 3]).aggregate], [3, 4])
    // ([0, 10] + [4, 2]) / 2
    assert.deepEqual([...fedAvgRule.aggregate({ updates, f: 0 }).aggregate], [2, 6])
    assert.deepEqual(
      [...fedAvgRule.aggregate({ updates, weights: [1, 3], f: 0 }).aggregate],
      [3, 4],
    )
  })
  it('is a baseline: any f is accepted, and bad weights are protocol errors', () => {
    assert.equal(fedAvgRule.byzantineRobust, false)
    assert.doesNotThrow(() => fedAvgRule.assertTolerates(3, 5))
    const updates = updatesOf([1], [2])
    assert.throws(() => fedAvg(updates, [1]), /2 updates but 1 weights/)
    assert.throws(() => fedAvg(updates, [1, -1]), /weight 1 is -1/)
    assert.throws(
      () => fedAvg(updates, [0, 0]),
      (e) => e instanceof MsflError && e.code === 'PROTOCOL',
    )
  })
  it('returns a fresh vector', () => {
    const updates = updatesOf([1, 2])
    const out = fedAvg(updates).aggregate
    out[0] = 99
    assert.equal(updates[0]![0], 1)
  })
})

describe('normBound', () => {
  // Norms 5, 1, 10.
  const updates = updatesOf([3, 4], [0, 1], [6, 8])
  it('clips every update to norm M, then averages', () => {
    // [6, 8] becomes [3, 4]: ([3, 4] + [0, 1] + [3, 4]) / 3 = [2, 3]
    assert.deepEqual([...normBound(updates, { maxNorm: 5 }).aggregate], [2, 3])
    // M = 1: [3, 4]/5 + [0, 1] + [6, 8]/10 = [0.6 + 0 + 0.6, 0.8 + 1 + 0.8] / 3
    const tight = normBound(updates, { maxNorm: 1 }).aggregate
    assert.ok(Math.abs(tight[0]! - 0.4) < 1e-15 && Math.abs(tight[1]! - 2.6 / 3) < 1e-15)
  })
  it('defaults M to the median norm and weights by example counts', () => {
    // median(5, 1, 10) = 5; weights 1, 1, 2: ([3, 4] + [0, 1] + 2·[3, 4]) / 4 = [9/4, 13/4]
    assert.deepEqual([...normBound(updates, { weights: [1, 1, 2] }).aggregate], [2.25, 3.25])
    const rule = createNormBoundRule()
    assert.deepEqual([...rule.aggregate({ updates, f: 1 }).aggregate], [2, 3])
    assert.equal(rule.byzantineRobust, false)
    assert.match(rule.tolerance, /not Byzantine-robust/)
  })
  it('bounds, but does not remove, an attacker’s influence', () => {
    // One attacker at 1e30 in each coordinate among four honest zero updates with
    // M = 1 moves the mean by exactly M/n = 0.2 along its direction.
    const attacked = updatesOf([0, 0], [0, 0], [0, 0], [0, 0], [1e30, 1e30])
    const out = normBound(attacked, { maxNorm: 1 }).aggregate
    assert.ok(Math.abs(Math.hypot(out[0]!, out[1]!) - 0.2) < 1e-15)
    assert.throws(() => normBound(updates, { maxNorm: 0 }), /max must be a positive number/)
  })
})
