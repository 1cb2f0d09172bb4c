import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { loadDataset } from '../../src/adapters/data/index.ts'
import { labelHistogram } from '../../src/core/data/dataset.ts'

describe('MNIST and Fashion-MNIST loaders', () => {
  it('loads 60,000 / 10,000 images with the documented label counts, pixels in [0, 1]', async () => {
    const { train, test } = await loadDataset({ name: 'mnist', options: {} }, 1)
    assert.deepEqual([train.n, test.n, train.d, test.d], [60_000, 10_000, 784, 784])
    assert.deepEqual(
      labelHistogram(train),
      [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949],
    )
    assert.deepEqual(labelHistogram(test), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])
    let min = Number.POSITIVE_INFINITY
    let max = Number.NEGATIVE_INFINITY
    for (const v of test.x) {
      if (v < min) min = v
      if (v > max) max = v
    }
    assert.deepEqual([min, max], [0, 1])
    assert.deepEqual(train.classNames, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'])
  })

  it('downsample=14 and l2 give 196 features with unit-norm rows', async () => {
    const { test } = await loadDataset({ name: 'mnist', options: { downsample: 14, l2: true } }, 1)
    assert.equal(test.d, 196)
    for (const row of [0, 1, 9999]) {
      const norm = Math.hypot(...test.x.subarray(row * 196, (row + 1) * 196))
      assert.ok(Math.abs(norm - 1) < 1e-5, `row ${row} norm ${norm}`)
    }
  })

  it('Fashion-MNIST: 6,000 / 1,000 rows per class with Zalando class names', async () => {
    const { train, test } = await loadDataset(
      { name: 'fashion-mnist', options: { downsample: 14 } },
      1,
    )
    assert.deepEqual([train.n, test.n, train.d], [60_000, 10_000, 196])
    assert.deepEqual(labelHistogram(train), new Array(10).fill(6000))
    assert.deepEqual(labelHistogram(test), new Array(10).fill(1000))
    assert.equal(train.classNames[9], 'Ankle boot')
  })
})
