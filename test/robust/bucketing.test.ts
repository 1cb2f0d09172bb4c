import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MsflError } from '../../src/core/errors/msflError.ts'
import type { Rng } from '../../src/core/rng/rng.ts'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'
import { bucketing, createBucketingRule } from '../../src/core/robust/bucketing.ts'
import { coordinateMedian, coordinateMedianRule } from '../../src/core/robust/coordinateMedian.ts'
import { createRobustRule } from '../../src/core/robust/createRobustRule.ts'
import { krumRule } from '../../src/core/robust/krum.ts'
import { assertNear, updatesOf } from './fixtures.ts'

/** An Rng whose nextInt always answers `pick(bound)`: it fixes the shuffle's permutation. */
const fixedRng = (pick: (bound: number) => number): Rng => ({
  kind: 'seeded',
  next: () => 0,
  nextInt: pick,
  normal: () => 0,
})
// Fisher–Yates swaps i with nextInt(i + 1): bound − 1 keeps every index in place.
const identity = fixedRng((bound) => bound - 1)
// Always 0: [0…5] becomes [1, 2, 3, 4, 5, 0].
const rotate = fixedRng(() => 0)
const updates = updatesOf([1], [3], [5], [7], [100], [200])

describe('bucketing', () => {
  it('averages buckets of s in the shuffled order, then runs the inner rule on the means', () => {
    const inner = coordinateMedianRule
    // Identity order: buckets {1, 3}, {5, 7}, {100, 200} → means 2, 6, 150 → median 6.
    assertNear(bucketing(updates, 1, { bucketSize: 2, inner, rng: identity }).aggregate, [6])
    // Rotated order: {3, 5}, {7, 100}, {200, 1} → 4, 53.5, 100.5 → median 53.5.
    assertNear(bucketing(updates, 1, { bucketSize: 2, inner, rng: rotate }).aggregate, [53.5])
    // The last bucket holds what is left: {1, 3, 5, 7}, {100, 200} → 4 and 150; f = 0 → 77.
    assertNear(bucketing(updates, 0, { bucketSize: 4, inner, rng: identity }).aggregate, [77])
  })
  it('with s = 1 is the inner rule whatever the order', () => {
    const rng = createSeededRng(3)
    assertNear(
      bucketing(updates, 2, { bucketSize: 1, inner: coordinateMedianRule, rng }).aggregate,
      [...coordinateMedian(updates).aggregate],
    )
  })
  it('maps a selecting inner rule back to every update of the chosen buckets', () => {
    // Rotated buckets {3, 5}, {7, 100}, {200, 1} → means 4, 53.5, 100.5. Krum (f = 0, one
    // nearest neighbour) scores 49.5², 47², 47²: bucket 1 = updates 3 and 4.
    const result = bucketing(updates, 0, { bucketSize: 2, inner: krumRule, rng: rotate })
    assert.deepEqual(result.selected, [3, 4])
    assertNear(result.aggregate, [53.5])
  })
  it('draws fresh buckets every round from the Rng it is given, and replays under a seed', () => {
    const run = (seed: number) => {
      const rule = createRobustRule('bucketing:s=2,rule=median', { f: 1 }, createSeededRng(seed))
      return [0, 1, 2, 3].map((_) => rule.aggregate({ updates, f: 1 }).aggregate[0]!)
    }
    assert.deepEqual(run(5), run(5))
    assert.ok(new Set(run(5)).size > 1, 'the buckets change between rounds')
  })
  it('needs the inner rule to tolerate one spoiled bucket per attacker', () => {
    const rule = createBucketingRule({ bucketSize: 2, inner: coordinateMedianRule, rng: identity })
    rule.assertTolerates(20, 4) // 10 buckets, 4 spoiled: median holds
    assert.throws(
      () => rule.assertTolerates(20, 5),
      (e) =>
        e instanceof MsflError &&
        e.code === 'CONFIG_INVALID' &&
        e.message ===
          'bucketing:s=2 before median: n = 20 updates make 10 buckets, up to 5 of them spoiled by f = 5; median needs n ≥ 2f + 1 (f < n/2) updates; got n = 10 with f = 5',
    )
    assert.throws(() => rule.aggregate({ updates, f: 2 }), /up to 2 of them spoiled/)
    assert.throws(
      () => createBucketingRule({ bucketSize: 0, inner: coordinateMedianRule, rng: identity }),
      /s \(bucket size\) must be a positive integer; got 0/,
    )
  })
  it('is named bucketing:s=…,rule=… and needs an Rng', () => {
    const rule = createRobustRule('bucketing:s=3,rule=krum', { tolerate: 0.1 }, identity)
    assert.equal(rule.spec, 'bucketing:tolerate=0.1,s=3,rule=krum')
    assert.match(rule.citation, /Karimireddy, He, Jaggi.*ICLR 2022/)
    // Parsed without an Rng (as planRun checks a spec), it fails closed when it aggregates.
    const unarmed = createRobustRule('bucketing', { f: 0 })
    assert.ok(unarmed.randomised)
    assert.throws(
      () => unarmed.aggregate({ updates, f: 0 }),
      /bucketing draws random numbers when it aggregates: the runtime must give it an Rng/,
    )
    for (const inner of ['bucketing', 'msfl', 'medain'])
      assert.throws(
        () => createRobustRule(`bucketing:rule=${inner}`, { f: 0 }, identity),
        new RegExp(`rule must be a rule name other than bucketing or msfl .*got '${inner}'`),
      )
  })
})
