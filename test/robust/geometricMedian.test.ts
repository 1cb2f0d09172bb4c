import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  createGeometricMedianRule,
  geometricMedian,
} from '../../src/core/robust/geometricMedian.ts'
import { assertNear, updatesOf } from './fixtures.ts'

describe('geometricMedian', () => {
  it('is the centre of a symmetric configuration', () => {
    // Corners of the square [0, 2]²: the geometric median is (1, 1).
    assertNear(geometricMedian(updatesOf([0, 0], [2, 0], [0, 2], [2, 2])).aggregate, [1, 1])
  })
  it('is the median in one dimension', () => {
    // 0, 1, 10: Σ|v − xᵢ| is minimal at the middle point 1 (smoothing ν = 1e-6
    // keeps the estimate within about ν of it).
    assertNear(geometricMedian(updatesOf([0], [1], [10])).aggregate, [1], 1e-5)
  })
  it('is the obtuse vertex of a triangle with an angle ≥ 120°', () => {
    // At (0, 0) the edges to (−10, 1) and (10, 1) meet at ~169°, so the
    // Fermat–Weber point is that vertex; Weiszfeld starts at the coordinate-wise
    // median (0, 1) and has to travel there.
    const out = geometricMedian(updatesOf([0, 0], [-10, 1], [10, 1]), { tolerance: 1e-12 })
    assertNear(out.aggregate, [0, 0], 1e-4)
  })
  it('validates its options and needs f < n/2', () => {
    const updates = updatesOf([0], [1])
    assert.throws(
      () => geometricMedian(updates, { iterations: 0 }),
      /iterations must be a positive integer/,
    )
    assert.throws(
      () => geometricMedian(updates, { smoothing: 0 }),
      /smoothing must be a positive number/,
    )
    assert.throws(
      () => geometricMedian(updates, { tolerance: -1 }),
      /tolerance must be a non-negative/,
    )
    assert.throws(
      () => createGeometricMedianRule().assertTolerates(6, 3),
      /^MsflError: geomed needs n ≥ 2f \+ 1 \(f < n\/2\) updates; got n = 6 with f = 3$/,
    )
  })
})
