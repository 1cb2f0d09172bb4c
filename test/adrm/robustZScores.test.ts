import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { robustZScores } from '../../src/core/adrm/robustZScores.ts'

describe('robustZScores', () => {
  it('scores in units of 1.4826 × MAD around the median', () => {
    // Median 3, absolute deviations 2, 1, 0, 1, 97: MAD 1.
    const { z, centre, spread } = robustZScores([1, 2, 3, 4, 100])
    assert.equal(centre, 3)
    assert.ok(Math.abs(spread - 1.482602218505602) < 1e-15)
    assert.ok(Math.abs(z[4]! - 97 / 1.482602218505602) < 1e-12)
    assert.ok(Math.abs(z[0]! + 2 / 1.482602218505602) < 1e-12)
  })
  it('is not masked by the outliers it should find, unlike mean and standard deviation', () => {
    const values = [10, 10.2, 9.9, 10.1, 9.8, 10.05, 9.95, 1000, 1000, 1000]
    const robust = robustZScores(values).z
    const mean = values.reduce((a, b) => a + b, 0) / values.length
    const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length)
    const classical = (1000 - mean) / sd
    assert.ok(classical < 2, `classical z ${classical}`)
    assert.ok(robust[7]! > 100)
  })
  it('falls back to the mean absolute deviation when the MAD is 0', () => {
    // Median 5, MAD 0 (three of five are 5); mean absolute deviation (0+0+0+1+9)/5 = 2.
    const { z, spread } = robustZScores([5, 5, 5, 6, 14])
    assert.ok(Math.abs(spread - 1.2533141373155003 * 2) < 1e-12)
    assert.ok(z[4]! > 3)
  })
  it('scores equal values 0 and an empty list nothing', () => {
    assert.deepEqual([...robustZScores([2, 2, 2]).z], [0, 0, 0])
    assert.equal(robustZScores([]).z.length, 0)
  })
  it('respects absolute and relative spread floors', () => {
    const values = [1, 1.001, 0.999, 1, 1.2]
    assert.ok(robustZScores(values).z[4]! > 100)
    // 5 % of the median 1 is 0.05: 0.2 above it is 4σ.
    assert.ok(Math.abs(robustZScores(values, { relative: 0.05 }).z[4]! - 4) < 1e-9)
    assert.ok(Math.abs(robustZScores(values, { absolute: 0.1 }).z[4]! - 2) < 1e-9)
  })
})
