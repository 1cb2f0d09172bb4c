import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { loadDataset } from '../../src/adapters/data/index.ts'
import { parseBreastCancer } from '../../src/core/data/breastCancer.ts'
import { type Dataset, labelHistogram } from '../../src/core/data/dataset.ts'
import { parseDigits } from '../../src/core/data/digits.ts'
import { stratifiedSplit } from '../../src/core/data/stratifiedSplit.ts'
import { MsflError } from '../../src/core/errors/msflError.ts'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'

const formatError = (pattern: RegExp) => (e: unknown) =>
  e instanceof MsflError && e.code === 'DATA_FORMAT' && pattern.test(e.message)

describe('Breast Cancer Wisconsin', () => {
  it('has 569 rows (212 malignant = 0, 357 benign = 1), split 80/20 stratified', async () => {
    const { train, test } = await loadDataset({ name: 'breast-cancer', options: {} }, 3)
    assert.equal(train.n + test.n, 569)
    assert.deepEqual(train.classNames, ['malignant', 'benign'])
    const total = labelHistogram(train).map((c, k) => c + labelHistogram(test)[k]!)
    assert.deepEqual(total, [212, 357])
    assert.deepEqual(labelHistogram(test), [42, 71])
    assert.equal(train.d, 30)
    assert.equal(train.featureNames[0], 'mean radius')
    assert.equal(train.featureNames[29], 'worst fractal dimension')
  })

  it('keeps the raw features and plans all 30 for the job to standardise within declared ranges', async () => {
    const split = await loadDataset({ name: 'breast-cancer', options: { testFraction: 0.3 } }, 3)
    const { train, test } = split
    assert.equal(test.n, 171)
    const raw = parseBreastCancer(
      // The loader splits the parsed rows: every loaded row is a raw row of the file.
      (await import('node:fs')).readFileSync(
        new URL(
          '../../packages/datasets/breast-cancer-wisconsin/breast_cancer.csv',
          import.meta.url,
        ),
        'utf8',
      ),
    )
    const rows = new Set<string>()
    for (let i = 0; i < raw.n; i++) rows.add(raw.x.subarray(i * 30, i * 30 + 30).join(','))
    for (const data of [train, test])
      for (let i = 0; i < data.n; i++)
        assert.ok(rows.has(data.x.subarray(i * 30, i * 30 + 30).join(',')), `row ${i}`)
    assert.deepEqual(
      split.scaling?.features.map((f) => f.feature),
      Array.from({ length: 30 }, (_, j) => j),
    )
    // Every row lies inside the declared ranges, so the ranges clamp nothing.
    for (const { feature, lo, hi } of split.scaling!.features)
      for (let i = 0; i < raw.n; i++) {
        const v = raw.x[i * 30 + feature]!
        assert.ok(v >= lo && v <= hi, `feature ${feature}: ${v} outside [${lo}, ${hi}]`)
      }
  })

  it('checks the header and row count', () => {
    assert.throws(
      () => parseBreastCancer('3,30,a,b\n'),
      formatError(/header announces 3 rows, found 0/),
    )
    assert.throws(
      () => parseBreastCancer('569,29,a,b\n'),
      formatError(/header '569,29,a,b' is not/),
    )
  })
})

describe('UCI digits', () => {
  it('has 1,797 rows with the documented class counts and pixels / 16 in [0, 1]', async () => {
    const { train, test } = await loadDataset({ name: 'digits', options: {} }, 3)
    assert.equal(train.n + test.n, 1797)
    const total = labelHistogram(train).map((c, k) => c + labelHistogram(test)[k]!)
    assert.deepEqual(total, [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])
    assert.equal(train.d, 64)
    assert.ok(train.x.every((v) => v >= 0 && v <= 1))
  })

  it('rejects out-of-range pixels and labels', () => {
    const row = (pixel: string, label: string) =>
      `${pixel},${new Array(63).fill('0').join(',')},${label}`
    assert.equal(parseDigits(`${row('16', '9')}\n`).x[0], 1)
    assert.throws(
      () => parseDigits(`${row('17', '1')}\n`),
      formatError(/line 1: pixel 0 '17' is not an integer in 0\.\.16/),
    )
    assert.throws(() => parseDigits(`${row('1', '10')}\n`), formatError(/line 1: label '10'/))
  })
})

describe('stratifiedSplit', () => {
  const data: Dataset = {
    name: 'toy',
    x: Float32Array.from({ length: 100 }, (_, i) => i),
    y: Float64Array.from({ length: 100 }, (_, i) => (i < 80 ? 0 : 1)),
    n: 100,
    d: 1,
    numClasses: 2,
    classNames: ['a', 'b'],
    featureNames: ['v'],
  }

  it('keeps class proportions, uses every row once and is deterministic per seed', () => {
    const a = stratifiedSplit(data, 0.25, createSeededRng(5))
    assert.deepEqual(labelHistogram(a.test), [20, 5])
    assert.deepEqual(labelHistogram(a.train), [60, 15])
    const rows = [...a.train.x, ...a.test.x].sort((p, q) => p - q)
    assert.deepEqual(rows, [...data.x])
    const b = stratifiedSplit(data, 0.25, createSeededRng(5))
    assert.deepEqual([...b.test.x], [...a.test.x])
    const c = stratifiedSplit(data, 0.25, createSeededRng(6))
    assert.notDeepEqual([...c.test.x], [...a.test.x])
  })

  it('rejects fractions outside (0, 1)', () => {
    for (const f of [0, 1, -0.1, Number.NaN]) {
      assert.throws(
        () => stratifiedSplit(data, f, createSeededRng(1)),
        (e: unknown) => e instanceof MsflError && e.code === 'CONFIG_INVALID',
      )
    }
  })
})
