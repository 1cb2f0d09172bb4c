import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MsflError } from '../../src/core/errors/msflError.ts'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'
import { coordinateMedian, coordinateMedianRule } from '../../src/core/robust/coordinateMedian.ts'
import { medianOf, selectKth } from '../../src/core/robust/selectKth.ts'
import { sortValues } from '../../src/core/robust/sortValues.ts'
import { createTrimmedMeanRule, trimmedMean } from '../../src/core/robust/trimmedMean.ts'
import { updatesOf } from './fixtures.ts'

const configInvalid = (pattern: RegExp) => (e: unknown) =>
  e instanceof MsflError && e.code === 'CONFIG_INVALID' && pattern.test(e.message)

describe('selection and sorting kernels', () => {
  it('agree with a full sort on random and tie-heavy arrays', () => {
    const rng = createSeededRng(3)
    for (let trial = 0; trial < 300; trial++) {
      const n = 1 + rng.nextInt(60)
      const values = Array.from({ length: n }, () =>
        trial % 2 === 0 ? rng.nextInt(4) : rng.normal(),
      )
      const expected = [...values].sort((a, b) => a - b)
      const k = rng.nextInt(n)
      assert.equal(selectKth(Float64Array.from(values), 0, n - 1, k), expected[k])
      const sorted = Float64Array.from(values)
      sortValues(sorted, 0, n - 1)
      assert.deepEqual([...sorted], expected)
    }
    assert.equal(medianOf([5, 1, 10]), 5)
    assert.equal(medianOf([4, 1, 10, 2]), 3)
  })
})

describe('coordinateMedian', () => {
  it('takes the median per coordinate, the mean of the middle two for even n', () => {
    // Coordinate 0: 1, 3, 2 → 2. Coordinate 1: 5, −1, 7 → 5.
    const odd = updatesOf([1, 5], [3, -1], [2, 7])
    assert.deepEqual([...coordinateMedian(odd).aggregate], [2, 5])
    // With [10, 0]: 1, 2, 3, 10 → (2 + 3)/2 = 2.5; −1, 0, 5, 7 → (0 + 5)/2 = 2.5.
    assert.deepEqual(
      [...coordinateMedian([...odd, Float64Array.from([10, 0])]).aggregate],
      [2.5, 2.5],
    )
    assert.deepEqual([...coordinateMedianRule.aggregate({ updates: odd, f: 1 }).aggregate], [2, 5])
  })
  it('needs f < n/2', () => {
    assert.throws(
      () => coordinateMedianRule.aggregate({ updates: updatesOf([1], [2], [3], [4]), f: 2 }),
      configInvalid(/^median needs n ≥ 2f \+ 1 \(f < n\/2\) updates; got n = 4 with f = 2$/),
    )
    assert.doesNotThrow(() => coordinateMedianRule.assertTolerates(5, 2))
  })
})

describe('trimmedMean', () => {
  it('drops the f largest and f smallest per coordinate and averages the rest', () => {
    // Coordinate 0: 1, 3, 2, 10, −4 → drop −4 and 10 → (1 + 2 + 3)/3 = 2.
    // Coordinate 1: 0, 0, 9, 3, 3 → drop one 0 and 9 → (0 + 3 + 3)/3 = 2.
    const updates = updatesOf([1, 0], [3, 0], [2, 9], [10, 3], [-4, 3])
    assert.deepEqual([...trimmedMean(updates, 1).aggregate], [2, 2])
    // f = 0 is the mean: (12/5, 15/5).
    assert.deepEqual([...trimmedMean(updates, 0).aggregate], [2.4, 3])
    // beta = 0.2 trims floor(0.2·5) = 1 per side, whatever f says (as long as f ≤ 1).
    const byBeta = createTrimmedMeanRule({ beta: 0.2 })
    assert.deepEqual([...byBeta.aggregate({ updates, f: 0 }).aggregate], [2, 2])
  })
  it('keeps honest values exactly when attackers send ±1e30', () => {
    // Summing only the kept middle avoids 1e30 − 1e30 cancellation.
    const updates = updatesOf([1e30], [0.1], [0.2], [0.3], [-1e30])
    assert.ok(Math.abs(trimmedMean(updates, 1).aggregate[0]! - 0.2) < 1e-16)
  })
  it('needs n ≥ 2f + 1, and a beta that trims at least f', () => {
    const four = updatesOf([1], [2], [3], [4])
    assert.throws(
      () => trimmedMean(four, 2),
      configInvalid(/^trimmed-mean needs n ≥ 2f \+ 1 updates; got n = 4 with f = 2$/),
    )
    assert.throws(
      () => createTrimmedMeanRule({ beta: 0.2 }).assertTolerates(10, 3),
      configInvalid(/floor\(0.2·n\) ≥ f .*got n = 10 with f = 3/),
    )
    assert.throws(
      () => createTrimmedMeanRule({ beta: 0.5 }),
      configInvalid(/beta must be in \[0, 0.5\)/),
    )
  })
})
