import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { computeUpdateFeatures, NEAREST_SAMPLE } from '../../src/core/adrm/updateFeatures.ts'
import { MsflError } from '../../src/core/errors/msflError.ts'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'
import { affineImage } from './fixtures.ts'

const close = (a: number, b: number, tolerance = 1e-12) =>
  assert.ok(Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(b)), `${a} ≠ ${b}`)

describe('computeUpdateFeatures', () => {
  // Median of [1,0], [3,0], [0,4] per coordinate: [1, 0]. Mean: [4/3, 4/3].
  const updates = [Float64Array.of(1, 0), Float64Array.of(3, 0), Float64Array.of(0, 4)]
  const f = computeUpdateFeatures(updates)

  it('measures against the coordinate-wise median', () => {
    assert.deepEqual([...f.centre], [1, 0])
    assert.deepEqual([...f.norm], [1, 3, 4])
    // Deviations from the median: [0,0], [2,0], [−1,4].
    assert.deepEqual([...f.distance], [0, 2, Math.sqrt(17)])
  })
  it('computes cosines to the centre, 0 for a zero vector', () => {
    assert.deepEqual([...f.cosineToCentre], [1, 1, 0])
    const withZero = computeUpdateFeatures([new Float64Array(2), Float64Array.of(1, 1)])
    assert.equal(withZero.cosineToCentre[0], 0)
  })
  it('measures alignment with the pull of the mean away from the median', () => {
    // Pull = mean − median = [1/3, 4/3]; the first deviation is zero (alignment 0).
    const pull = [1 / 3, 4 / 3]
    const pullNorm = Math.hypot(...pull)
    close(f.pullAlignment[0]!, 0)
    close(f.pullAlignment[1]!, (2 * pull[0]!) / (2 * pullNorm))
    close(f.pullAlignment[2]!, (-1 * pull[0]! + 4 * pull[1]!) / (Math.sqrt(17) * pullNorm))
  })
  it('finds the nearest other update, 0 for duplicates', () => {
    close(f.nearest[0]!, 2)
    close(f.nearest[1]!, 2)
    close(f.nearest[2]!, Math.sqrt(17))
    const twins = computeUpdateFeatures([
      Float64Array.of(1, 2),
      Float64Array.of(1, 2),
      Float64Array.of(5, 5),
    ])
    assert.deepEqual([...twins.nearest].slice(0, 2), [0, 0])
  })
  it('samples long updates for the nearest distance and rescales to the full length', () => {
    const length = 3 * NEAREST_SAMPLE
    const rng = createSeededRng(8)
    const long = Array.from({ length: 4 }, () => Float64Array.from({ length }, () => rng.normal()))
    const sampled = computeUpdateFeatures(long).nearest
    const exact = long.map((a, i) =>
      Math.min(
        ...long.filter((_, k) => k !== i).map((b) => Math.hypot(...a.map((v, j) => v - b[j]!))),
      ),
    )
    // Independent coordinates: a one-in-three sample estimates √(2·length) within a few %.
    for (const [i, s] of sampled.entries())
      assert.ok(Math.abs(s / exact[i]! - 1) < 0.05, `${s} vs ${exact[i]}`)
  })
  it('is invariant (up to |c|) under a common c·u + d where it says so', () => {
    const rng = createSeededRng(3)
    const plain = Array.from({ length: 7 }, () =>
      Float64Array.from({ length: 50 }, () => rng.normal()),
    )
    for (const c of [3, -0.5]) {
      const a = computeUpdateFeatures(plain)
      const b = computeUpdateFeatures(affineImage(plain, c, 4))
      for (let i = 0; i < plain.length; i++) {
        close(b.distance[i]!, Math.abs(c) * a.distance[i]!, 1e-9)
        close(b.nearest[i]!, Math.abs(c) * a.nearest[i]!, 1e-9)
        close(b.pullAlignment[i]!, a.pullAlignment[i]!, 1e-9)
      }
      // Not invariant, and documented so: norms and cosines at the origin move with d.
      assert.ok(a.norm.some((v, i) => Math.abs(b.norm[i]! - Math.abs(c) * v) > 1e-3))
      assert.ok(a.cosineToCentre.some((v, i) => Math.abs(b.cosineToCentre[i]! - v) > 1e-3))
    }
  })
  it('rejects unequal lengths and non-finite values', () => {
    const isProtocol = (e: unknown) => e instanceof MsflError && e.code === 'PROTOCOL'
    assert.throws(
      () => computeUpdateFeatures([Float64Array.of(1), Float64Array.of(1, 2)]),
      isProtocol,
    )
    assert.throws(
      () => computeUpdateFeatures([Float64Array.of(1), Float64Array.of(NaN)]),
      isProtocol,
    )
  })
})
