import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { loadDataset } from '../../src/adapters/data/index.ts'
import type { Dataset } from '../../src/core/data/dataset.ts'
import { DEFAULT_SYNTHETIC_OPTIONS, generateSynthetic } from '../../src/core/data/synthetic.ts'
import { MsflError } from '../../src/core/errors/msflError.ts'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'

function deviceMeans(data: Dataset, devices: number): Float64Array[] {
  const sums = Array.from({ length: devices }, () => new Float64Array(data.d))
  const counts = new Array<number>(devices).fill(0)
  for (let i = 0; i < data.n; i++) {
    const g = data.groups![i]!
    counts[g]! += 1
    for (let j = 0; j < data.d; j++) sums[g]![j]! += data.x[i * data.d + j]!
  }
  return sums.map((s, g) => s.map((v) => v / counts[g]!))
}

const meanGap = (means: Float64Array[]) => {
  let total = 0
  let pairs = 0
  for (let a = 0; a < means.length; a++) {
    for (let b = a + 1; b < means.length; b++) {
      total += Math.hypot(...means[a]!.map((v, j) => v - means[b]![j]!))
      pairs++
    }
  }
  return total / pairs
}

describe('synthetic Gaussian IoT data', () => {
  const options = {
    ...DEFAULT_SYNTHETIC_OPTIONS,
    devices: 6,
    samplesPerDevice: 2000,
    testSamplesPerDevice: 50,
  }

  it('fills groups with device ids and has the requested shape', () => {
    const { train, test } = generateSynthetic(options, createSeededRng(1))
    assert.deepEqual([train.n, test.n, train.d, train.numClasses], [12_000, 300, 20, 5])
    assert.equal(train.groups![0], 0)
    assert.equal(train.groups![11_999], 5)
    assert.equal(test.groups![299], 5)
  })

  it('drift gives devices clearly different feature means; no drift leaves only noise', () => {
    const drifted = generateSynthetic({ ...options, drift: 3 }, createSeededRng(1)).train
    const flat = generateSynthetic({ ...options, drift: 0 }, createSeededRng(1)).train
    const withDrift = meanGap(deviceMeans(drifted, 6))
    const without = meanGap(deviceMeans(flat, 6))
    assert.ok(withDrift > 2, `drifted gap ${withDrift}`)
    assert.ok(without < 0.6, `undrifted gap ${without}`)
  })

  it('is deterministic per seed and reachable through loadDataset', async () => {
    const a = await loadDataset({ name: 'synthetic', options: { devices: 3, samples: 10 } }, 5)
    const b = await loadDataset({ name: 'synthetic', options: { devices: 3, samples: 10 } }, 5)
    const c = await loadDataset({ name: 'synthetic', options: { devices: 3, samples: 10 } }, 6)
    assert.deepEqual(a.train.x, b.train.x)
    assert.notDeepEqual(a.train.x, c.train.x)
    assert.equal(a.train.n, 30)
  })

  it('rejects invalid options', () => {
    assert.throws(
      () => generateSynthetic({ ...options, classes: 1 }, createSeededRng(1)),
      (e: unknown) =>
        e instanceof MsflError && e.code === 'CONFIG_INVALID' && /classes/.test(e.message),
    )
  })
})
