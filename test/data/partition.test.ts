import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Dataset } from '../../src/core/data/dataset.ts'
import { sampleDirichlet, sampleGamma } from '../../src/core/data/dirichlet.ts'
import { type PartitionSpec, partitionDataset } from '../../src/core/data/partition.ts'
import { partitionStatistics } from '../../src/core/data/partitionStatistics.ts'
import { MsflError } from '../../src/core/errors/msflError.ts'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'

/** 10 balanced classes, 5,000 rows; labels only matter for partitioning. */
const data: Dataset = {
  name: 'toy',
  x: new Float32Array(5000),
  y: Float64Array.from({ length: 5000 }, (_, i) => i % 10),
  n: 5000,
  d: 1,
  numClasses: 10,
  classNames: Array.from({ length: 10 }, (_, k) => String(k)),
  featureNames: ['v'],
  groups: Int32Array.from({ length: 5000 }, (_, i) => Math.floor(i / 500)),
}

function assertCoversEveryRowOnce(parts: Int32Array[], n: number): void {
  const seen = new Uint8Array(n)
  for (const part of parts) {
    for (const row of part) {
      assert.ok(row >= 0 && row < n, `row ${row} out of range`)
      assert.equal(seen[row], 0, `row ${row} assigned twice`)
      seen[row] = 1
    }
  }
  assert.ok(
    seen.every((v) => v === 1),
    'some row is unassigned',
  )
}

const run = (spec: PartitionSpec, clients = 10, seed = 42) =>
  partitionDataset(data, clients, spec, createSeededRng(seed))

describe('partitions', () => {
  it('iid deals near-equal sizes with near-identical label mixes', () => {
    const parts = run({ kind: 'iid' })
    assertCoversEveryRowOnce(parts, data.n)
    assert.deepEqual(
      parts.map((p) => p.length),
      new Array(10).fill(500),
    )
    const { summary } = partitionStatistics(data, parts)
    assert.ok(summary.meanPairwiseJsd < 0.02, String(summary.meanPairwiseJsd))
  })

  it('dirichlet(0.5) skews label distributions far beyond iid and assigns every row once', () => {
    const iid = partitionStatistics(data, run({ kind: 'iid' })).summary
    const parts = run({ kind: 'dirichlet', alpha: 0.5 })
    assertCoversEveryRowOnce(parts, data.n)
    const skew = partitionStatistics(data, parts).summary
    assert.ok(
      skew.meanPairwiseJsd > 10 * iid.meanPairwiseJsd,
      `${skew.meanPairwiseJsd} vs ${iid.meanPairwiseJsd}`,
    )
    assert.ok(skew.meanPairwiseJsd > 0.25)
    assert.ok(skew.meanTvdFromGlobal > 0.3)
    const large = partitionStatistics(data, run({ kind: 'dirichlet', alpha: 1000 })).summary
    assert.ok(large.meanPairwiseJsd < 0.05, 'large alpha approaches iid')
  })

  it('dirichlet guarantees the minimum rows per client even for tiny alpha', () => {
    for (const alpha of [0.01, 0.05]) {
      const parts = run({ kind: 'dirichlet', alpha, minRows: 40 }, 50)
      assertCoversEveryRowOnce(parts, data.n)
      assert.ok(Math.min(...parts.map((p) => p.length)) >= 40)
    }
  })

  it('quantity skew gives clearly different sizes but similar label mixes', () => {
    const parts = run({ kind: 'quantity', beta: 0.5 })
    assertCoversEveryRowOnce(parts, data.n)
    const { summary } = partitionStatistics(data, parts)
    assert.ok(summary.sizeCv > 0.3, String(summary.sizeCv))
    assert.ok(summary.maxRows > 2 * summary.minRows)
    assert.ok(summary.minRows >= 10)
    assert.ok(summary.meanTvdFromGlobal < 0.3)
  })

  it('natural partition follows groups, several groups per client when fewer clients', () => {
    const parts = run({ kind: 'natural' })
    assert.deepEqual(parts[3]![0], 1500)
    assert.ok(parts.every((p, c) => p.every((row) => data.groups![row] === c)))
    const folded = run({ kind: 'natural' }, 4)
    assertCoversEveryRowOnce(folded, data.n)
    assert.deepEqual(
      folded.map((p) => p.length),
      [1500, 1500, 1000, 1000],
    )
    assert.throws(
      () => run({ kind: 'natural' }, 11),
      (e: unknown) => e instanceof MsflError && e.code === 'CONFIG_INVALID',
    )
  })

  it('is deterministic: same seed, same partition; other seed, other partition', () => {
    for (const spec of [
      { kind: 'iid' },
      { kind: 'dirichlet', alpha: 0.3 },
      { kind: 'quantity', beta: 1 },
    ] as const) {
      assert.deepEqual(run(spec, 10, 7), run(spec, 10, 7))
      assert.notDeepEqual(run(spec, 10, 7), run(spec, 10, 8))
    }
  })

  it('rejects impossible requests', () => {
    const invalid = (e: unknown) => e instanceof MsflError && e.code === 'CONFIG_INVALID'
    assert.throws(() => run({ kind: 'iid' }, 0), invalid)
    assert.throws(() => run({ kind: 'iid' }, 5001), invalid)
    assert.throws(() => run({ kind: 'dirichlet', alpha: 0 }), invalid)
    assert.throws(() => run({ kind: 'dirichlet', alpha: 1, minRows: 501 }), invalid)
    assert.throws(() => run({ kind: 'quantity', beta: -1 }), invalid)
    const { groups: _groups, ...ungrouped } = data
    assert.throws(
      () => partitionDataset(ungrouped, 2, { kind: 'natural' }, createSeededRng(1)),
      invalid,
    )
  })
})

describe('gamma and Dirichlet sampling', () => {
  it('matches the Gamma(k, 1) mean and variance for shapes below and above 1', () => {
    const rng = createSeededRng(9)
    for (const shape of [0.3, 1, 4.5]) {
      const draws = Array.from({ length: 20_000 }, () => sampleGamma(shape, rng))
      const mean = draws.reduce((a, b) => a + b, 0) / draws.length
      const variance = draws.reduce((a, b) => a + (b - mean) ** 2, 0) / draws.length
      assert.ok(Math.abs(mean - shape) < 0.05 * shape + 0.02, `shape ${shape}: mean ${mean}`)
      assert.ok(
        Math.abs(variance - shape) < 0.1 * shape + 0.03,
        `shape ${shape}: variance ${variance}`,
      )
    }
  })

  it('returns probability vectors even for tiny concentrations', () => {
    const rng = createSeededRng(10)
    for (const alpha of [0.001, 0.5, 50]) {
      const p = sampleDirichlet([alpha, alpha, alpha, alpha], rng)
      assert.ok(p.every((v) => v >= 0 && Number.isFinite(v)))
      assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-12)
    }
  })
})
