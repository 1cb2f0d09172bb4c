import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MsflError } from '../../src/core/errors/msflError.ts'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'
import { bulyan, bulyanRule } from '../../src/core/robust/bulyan.ts'
import { assertNear, updatesOf } from './fixtures.ts'

describe('bulyan', () => {
  it('selects θ = n − 2f updates by repeated Krum, then averages the β = θ − 2f values nearest the median', () => {
    // n = 7, f = 1: θ = 5, β = 3. Values 0, 2, 3, 4, 9, 10, 1000 (indices 0…6).
    // Pool of 7, 4 neighbours: scores 0:110 2:58 3:47 4:46 9:111 10:150 → index 3 (4).
    // Pool of 6, 3 neighbours: 0:94 2:54 3:46 9:86 10:114 → index 2 (3).
    // Pool of 5, 2 neighbours: 0:85 2:53 9:50 10:65 → index 4 (9).
    // Pool of 4, 1 neighbour (clamped from 4 − 1 − 2): 0:4 2:4 10:64 → tie, index 0.
    // Pool of 3, 1 neighbour: 2:64 10:64 1000:990² → tie, index 1.
    // Selected values 0, 2, 3, 4, 9; median 3; nearest three: 3, then 2 and 4
    // (distance 1 each) → (2 + 3 + 4)/3 = 3, where the plain mean would be 3.6.
    const updates = updatesOf([0], [2], [3], [4], [9], [10], [1000])
    const result = bulyan(updates, 1)
    assert.deepEqual(result.selected, [0, 1, 2, 3, 4])
    assertNear(result.aggregate, [3])
    assert.deepEqual(bulyanRule.aggregate({ updates, f: 1 }).selected, [0, 1, 2, 3, 4])
  })
  it('with f = 0 is the plain mean', () => {
    const updates = updatesOf([1, 2], [3, 4], [5, 9])
    assertNear(bulyan(updates, 0).aggregate, [3, 5])
  })
  it('matches a direct sort-based evaluation of its coordinate step', () => {
    const rng = createSeededRng(11)
    for (let trial = 0; trial < 40; trial++) {
      const f = 1 + rng.nextInt(3)
      const n = 4 * f + 3 + rng.nextInt(5)
      const updates = Array.from({ length: n }, () =>
        Float64Array.from({ length: 3 }, () => (trial % 2 ? rng.nextInt(4) : rng.normal())),
      )
      const result = bulyan(updates, f)
      const theta = n - 2 * f
      const beta = theta - 2 * f
      assert.equal(result.selected!.length, theta)
      for (let j = 0; j < 3; j++) {
        const values = result.selected!.map((i) => updates[i]![j]!).sort((a, b) => a - b)
        const mid = (theta - 1) >> 1
        const median = theta % 2 ? values[mid]! : (values[mid]! + values[mid + 1]!) / 2
        // Stable sort by distance keeps the lower value first on ties.
        const nearest = values
          .map((v) => ({ v, d: Math.abs(v - median) }))
          .sort((a, b) => a.d - b.d)
          .slice(0, beta)
        const expected = nearest.reduce((s, x) => s + x.v, 0) / beta
        assertNear([result.aggregate[j]!], [expected])
      }
    }
  })
  it('needs n ≥ 4f + 3', () => {
    const updates = updatesOf([0], [1], [2], [3], [4], [5], [6], [7], [8], [9], [10])
    assert.throws(
      () => bulyan(updates, 3),
      (e) =>
        e instanceof MsflError &&
        e.code === 'CONFIG_INVALID' &&
        e.message === 'bulyan needs n ≥ 4f + 3 updates; got n = 11 with f = 3',
    )
    assert.doesNotThrow(() => bulyanRule.assertTolerates(11, 2))
  })
})
