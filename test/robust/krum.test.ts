import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MsflError } from '../../src/core/errors/msflError.ts'
import { krum, krumRule } from '../../src/core/robust/krum.ts'
import { createMultiKrumRule, multiKrum } from '../../src/core/robust/multiKrum.ts'
import { pairwiseSquaredDistances } from '../../src/core/robust/pairwiseSquaredDistances.ts'
import { assertNear, updatesOf } from './fixtures.ts'

// Values 0, 1, 2, 3, 100 in the first coordinate; n = 5, f = 1, so each score sums
// the n − f − 2 = 2 smallest squared distances:
//   0: 1 + 4 = 5   1: 1 + 1 = 2   2: 1 + 1 = 2   3: 1 + 4 = 5   100: 97² + 98² = 19013
const updates = updatesOf([0, 7], [1, 7], [2, 7], [3, 7], [100, 7])

const configInvalid = (pattern: RegExp) => (e: unknown) =>
  e instanceof MsflError && e.code === 'CONFIG_INVALID' && pattern.test(e.message)

describe('pairwiseSquaredDistances', () => {
  it('is the symmetric matrix of squared distances, exact across block boundaries', () => {
    const long = [new Float64Array(10_001).fill(1), new Float64Array(10_001).fill(3)]
    long[1]![10_000] = 5
    // 10,000 coordinates differ by 2 and one by 4: 10,000·4 + 16
    assert.deepEqual([...pairwiseSquaredDistances(long)], [0, 40_016, 40_016, 0])
    const m = pairwiseSquaredDistances(updates)
    assert.equal(m[0 * 5 + 4], 10_000)
    assert.equal(m[4 * 5 + 0], 10_000)
  })
})

describe('krum', () => {
  it('picks the lowest score, ties to the lowest index', () => {
    // Scores 2 tie between updates 1 and 2: update 1 wins.
    const result = krum(updates, 1)
    assert.deepEqual([...result.aggregate], [1, 7])
    assert.deepEqual(result.selected, [1])
    assert.notEqual(result.aggregate, updates[1], 'a copy, never the input itself')
    assert.deepEqual(krumRule.aggregate({ updates, f: 1 }).selected, [1])
  })
  it('needs n ≥ 2f + 3', () => {
    const six = updatesOf([0], [1], [2], [3], [4], [5])
    assert.throws(
      () => krum(six, 2),
      configInvalid(/^krum needs n ≥ 2f \+ 3 updates; got n = 6 with f = 2$/),
    )
    assert.throws(() => krumRule.assertTolerates(6, 2), configInvalid(/n = 6 with f = 2/))
    assert.doesNotThrow(() => krumRule.assertTolerates(7, 2))
    assert.throws(
      () => krumRule.assertTolerates(7, 1.5),
      configInvalid(/f must be a non-negative integer/),
    )
  })
})

describe('multiKrum', () => {
  it('averages the m lowest-score updates', () => {
    // m = n − f = 4: updates 1, 2 (score 2), 0, 3 (score 5) → (0 + 1 + 2 + 3)/4 = 1.5
    const all = multiKrum(updates, 1)
    assertNear(all.aggregate, [1.5, 7])
    assert.deepEqual(all.selected, [0, 1, 2, 3])
    // m = 3: updates 1, 2 and, of the tied 0 and 3, the lower index 0 → (1 + 2 + 0)/3 = 1
    assertNear(multiKrum(updates, 1, 3).aggregate, [1, 7])
    assert.deepEqual(multiKrum(updates, 1, 3).selected, [0, 1, 2])
    // m = 1 is Krum.
    assert.deepEqual(multiKrum(updates, 1, 1).selected, krum(updates, 1).selected)
    assert.deepEqual(createMultiKrumRule({ m: 3 }).aggregate({ updates, f: 1 }).selected, [0, 1, 2])
  })
  it('needs n ≥ 2f + 3 and 1 ≤ m ≤ n', () => {
    assert.throws(
      () => multiKrum(updates, 2),
      configInvalid(/^multi-krum needs n ≥ 2f \+ 3 updates; got n = 5 with f = 2$/),
    )
    assert.throws(
      () => multiKrum(updates, 1, 0),
      configInvalid(/m must be an integer between 1 and n = 5/),
    )
    assert.throws(() => multiKrum(updates, 1, 6), configInvalid(/got 6/))
  })
})
