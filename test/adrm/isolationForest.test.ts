import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  averagePathLength,
  fitIsolationForest,
  isolationScore,
} from '../../src/core/adrm/isolationForest.ts'
import { MsflError } from '../../src/core/errors/msflError.ts'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'

const cluster = (count: number, seed: number) => {
  const rng = createSeededRng(seed)
  return Array.from({ length: count }, () =>
    Float64Array.of(rng.normal(), rng.normal(), rng.normal()),
  )
}

describe('isolation forest', () => {
  it('normalises with c(n) = 2H(n − 1) − 2(n − 1)/n', () => {
    assert.equal(averagePathLength(1), 0)
    assert.equal(averagePathLength(2), 1)
    // H(255) ≈ ln 255 + γ; c(256) ≈ 10.2448 (Liu et al.).
    assert.ok(Math.abs(averagePathLength(256) - 10.2448) < 1e-3)
  })
  it('isolates obvious outliers: high scores for them, about 0.5 or less for the cluster', () => {
    const rows = cluster(300, 1)
    const forest = fitIsolationForest(rows, { trees: 100, sampleSize: 256 }, createSeededRng(2))
    const inliers = cluster(50, 3).map((r) => isolationScore(forest, r))
    // Far out in at least two features: a point beyond the range in one feature only
    // shares its path with the most extreme training row there (axis-parallel splits).
    const outliers = [
      Float64Array.of(8, 8, 8),
      Float64Array.of(-6, 0, 6),
      Float64Array.of(-7, -7, 0),
    ]
    const mean = inliers.reduce((a, b) => a + b, 0) / inliers.length
    assert.ok(mean < 0.5, `inlier mean ${mean}`)
    for (const o of outliers) {
      const score = isolationScore(forest, o)
      assert.ok(score > 0.65, `outlier ${score}`)
      assert.ok(score > Math.max(...inliers))
    }
    assert.equal(forest.sampleSize, 256)
    assert.equal(forest.trainedOn, 300)
  })
  it('is deterministic for a seed, and the seed matters', () => {
    const rows = cluster(100, 4)
    const probe = Float64Array.of(1.5, -0.5, 2)
    const fit = (seed: number) =>
      fitIsolationForest(rows, { trees: 20, sampleSize: 64 }, createSeededRng(seed))
    assert.equal(isolationScore(fit(7), probe), isolationScore(fit(7), probe))
    assert.deepEqual([...fit(7).trees[3]!.split], [...fit(7).trees[3]!.split])
    assert.notEqual(isolationScore(fit(7), probe), isolationScore(fit(8), probe))
  })
  it('caps ψ at the row count and handles constant features', () => {
    const rows = Array.from({ length: 10 }, (_, i) => Float64Array.of(5, i))
    const forest = fitIsolationForest(rows, { trees: 10, sampleSize: 256 }, createSeededRng(1))
    assert.equal(forest.sampleSize, 10)
    // Feature 0 is constant: never split on.
    for (const tree of forest.trees) assert.ok([...tree.feature].every((f) => f !== 0))
    assert.ok(
      isolationScore(forest, Float64Array.of(5, 100)) >
        isolationScore(forest, Float64Array.of(5, 4.5)),
    )
  })
  it('rejects empty, ragged and non-finite input', () => {
    const isProtocol = (e: unknown) => e instanceof MsflError && e.code === 'PROTOCOL'
    const rng = createSeededRng(1)
    const options = { trees: 1, sampleSize: 4 }
    assert.throws(() => fitIsolationForest([], options, rng), isProtocol)
    assert.throws(() => fitIsolationForest([[1, 2], [1]], options, rng), /row 1 has 1 features/)
    assert.throws(() => fitIsolationForest([[1, Number.NaN]], options, rng), /feature 1 is NaN/)
    const forest = fitIsolationForest(
      [
        [1, 2],
        [3, 4],
      ],
      options,
      rng,
    )
    assert.throws(() => isolationScore(forest, [1]), isProtocol)
  })
})
