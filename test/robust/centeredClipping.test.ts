import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MsflError } from '../../src/core/errors/msflError.ts'
import {
  centeredClipping,
  createCenteredClippingRule,
} from '../../src/core/robust/centeredClipping.ts'
import { assertNear, updatesOf, vec } from './fixtures.ts'

describe('centeredClipping', () => {
  const updates = updatesOf([1], [2], [100])
  it('moves from the center by the mean of the clipped differences', () => {
    // τ = 3, one iteration from 0: clip(1) = 1, clip(2) = 2, clip(100) = 3 → v = 6/3 = 2.
    assertNear(centeredClipping(updates, { tau: 3, iterations: 1 }).aggregate, [2])
    // Second iteration from 2: differences −1, 0, 98 → clipped −1, 0, 3 → v = 2 + 2/3.
    assertNear(centeredClipping(updates, { tau: 3, iterations: 2 }).aggregate, [8 / 3])
    // From center 10 with τ = 3: differences −9, −8, 90 → −3, −3, 3 → v = 10 − 1 = 9.
    assertNear(centeredClipping(updates, { tau: 3, iterations: 1, center: vec(10) }).aggregate, [9])
  })
  it('defaults τ to the median distance from the center', () => {
    // Distances from 0: 1, 2, 100 → τ = 2; clipped 1, 2, 2 → v = 5/3.
    assertNear(centeredClipping(updates, { iterations: 1 }).aggregate, [5 / 3])
  })
  it('clips in L2, not per coordinate', () => {
    // τ = 5: [30, 40] (norm 50) becomes [3, 4]; [0, 0] contributes nothing → [3, 4]/2.
    assertNear(
      centeredClipping(updatesOf([30, 40], [0, 0]), { tau: 5, iterations: 1 }).aggregate,
      [1.5, 2],
    )
  })
  it('as a rule, re-centres on its previous aggregate', () => {
    const rule = createCenteredClippingRule({ tau: 3, iterations: 1 })
    assertNear(rule.aggregate({ updates, f: 1 }).aggregate, [2])
    // Now from 2: differences −1, 0, 98 → −1, 0, 3 → 2 + 2/3.
    const second = rule.aggregate({ updates, f: 1 }).aggregate
    assertNear(second, [8 / 3])
    second[0] = 1e9 // the rule keeps its own copy
    assertNear(rule.aggregate({ updates, f: 1 }).aggregate, [
      8 / 3 + (1 - 8 / 3 + 2 - 8 / 3 + 3) / 3,
    ])
    // A fixed center is used every time.
    const fixed = createCenteredClippingRule({ tau: 3, iterations: 1, center: vec(0) })
    fixed.aggregate({ updates, f: 1 })
    assertNear(fixed.aggregate({ updates, f: 1 }).aggregate, [2])
  })
  it('with momentum β returns β·previous + (1 − β)·CC, re-centred on that', () => {
    const rule = createCenteredClippingRule({ tau: 3, iterations: 1, momentum: 0.5 })
    // First round: no previous aggregate, plain CC from 0 → 2.
    assertNear(rule.aggregate({ updates, f: 1 }).aggregate, [2])
    // From 2: CC gives 8/3 (as above); momentum 0.5·2 + 0.5·8/3 = 7/3.
    assertNear(rule.aggregate({ updates, f: 1 }).aggregate, [7 / 3])
    // From 7/3: differences −4/3, −1/3, 293/3 → clipped −4/3, −1/3, 3 → CC = 7/3 + 4/9;
    // then 0.5·7/3 + 0.5·(7/3 + 4/9).
    assertNear(rule.aggregate({ updates, f: 1 }).aggregate, [7 / 3 + 2 / 9])
    assert.throws(
      () => createCenteredClippingRule({ momentum: 1 }),
      /momentum must be a number in \[0, 1\); got 1/,
    )
  })
  it('rejects bad parameters and too many attackers', () => {
    assert.throws(() => centeredClipping(updates, { tau: 0 }), /tau must be a positive number/)
    assert.throws(
      () => centeredClipping(updates, { iterations: 0 }),
      /iterations must be a positive integer/,
    )
    assert.throws(
      () => centeredClipping(updates, { center: vec(1, 2) }),
      (e) =>
        e instanceof MsflError && e.code === 'PROTOCOL' && /center has 2 values/.test(e.message),
    )
    assert.throws(
      () => createCenteredClippingRule().assertTolerates(4, 2),
      (e) =>
        e instanceof MsflError &&
        e.message === 'centered-clipping needs n ≥ 2f + 1 (f < n/2) updates; got n = 4 with f = 2',
    )
  })
})
