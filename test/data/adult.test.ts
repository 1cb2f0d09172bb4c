import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import { loadDataset } from '../../src/adapters/data/index.ts'
import { preprocessAdult } from '../../src/core/data/adult.ts'
import type { DatasetSplit } from '../../src/core/data/dataset.ts'
import { MsflError } from '../../src/core/errors/msflError.ts'

const ROW = (age: number, workclass: string, label: string) =>
  `${age}, ${workclass}, 77516, Bachelors, 13, Never-married, Adm-clerical, Not-in-family, White, Male, 0, 0, 40, United-States, ${label}`

describe('Adult loader', () => {
  let split: DatasetSplit
  before(async () => {
    split = await loadDataset({ name: 'adult', options: {} }, 1)
  })

  it('keeps every record: 32,561 train and 16,281 test rows', () => {
    assert.equal(split.train.n, 32_561)
    assert.equal(split.test.n, 16_281)
  })

  it('has the same feature layout in train and test, with names like workclass=Private', () => {
    assert.equal(split.train.d, 108)
    assert.equal(split.test.d, split.train.d)
    assert.equal(split.test.featureNames, split.train.featureNames)
    assert.equal(split.train.featureNames.length, split.train.d)
    for (const name of [
      'age',
      'capital-gain',
      'workclass=Private',
      'workclass=?',
      'native-country=?',
      'sex=Female',
    ]) {
      assert.ok(split.train.featureNames.includes(name), name)
    }
    assert.equal(split.train.x.length, split.train.n * split.train.d)
  })

  it('contains no NaN or infinite value', () => {
    for (const x of [split.train.x, split.test.x]) assert.ok(x.every(Number.isFinite))
  })

  it('labels 1 = >50K with about 24% positives in both splits (test labels lose their full stop)', () => {
    const positives = (y: Float64Array) => y.reduce((a, b) => a + b, 0)
    assert.equal(positives(split.train.y), 7_841)
    assert.equal(positives(split.test.y), 3_846)
    assert.ok(Math.abs(positives(split.test.y) / split.test.n - 0.236) < 0.01)
    assert.deepEqual(split.train.classNames, ['<=50K', '>50K'])
  })

  it('standardises numerics with train statistics (train mean 0, std 1)', () => {
    const { x, n, d, featureNames } = split.train
    const col = featureNames.indexOf('hours-per-week')
    let sum = 0
    let sq = 0
    for (let i = 0; i < n; i++) {
      sum += x[i * d + col]!
      sq += x[i * d + col]! ** 2
    }
    assert.ok(Math.abs(sum / n) < 1e-4)
    assert.ok(Math.abs(sq / n - 1) < 1e-3)
  })
})

describe('preprocessAdult', () => {
  it('skips the cross-validator banner and blank lines, and zeroes categories unseen in train', () => {
    const train = `${ROW(30, 'Private', '<=50K')}\n${ROW(50, 'State-gov', '>50K')}\n\n`
    const test = `|1x3 Cross validator\n${ROW(40, 'Never-worked', '>50K.')}\n\n`
    const split = preprocessAdult(train, test)
    assert.equal(split.test.n, 1)
    assert.equal(split.test.y[0], 1)
    const names = split.train.featureNames
    const group = names.flatMap((name, j) => (name.startsWith('workclass=') ? [j] : []))
    assert.deepEqual(
      group.map((j) => names[j]),
      ['workclass=Private', 'workclass=State-gov'],
    )
    for (const j of group) assert.equal(split.test.x[j], 0)
    assert.equal(split.test.x[names.indexOf('age')], 0)
  })

  it('reports malformed rows with file and line', () => {
    const bad = (fn: () => unknown, pattern: RegExp) =>
      assert.throws(
        fn,
        (e: unknown) =>
          e instanceof MsflError && e.code === 'DATA_FORMAT' && pattern.test(e.message),
      )
    bad(
      () => preprocessAdult(`${ROW(30, 'Private', 'rich')}\n`, ''),
      /^adult\/adult\.data: line 1: income label 'rich'/,
    )
    bad(
      () => preprocessAdult(`${ROW(30, 'Private', '>50K')}\n1, 2\n`, ''),
      /^adult\/adult\.data: line 2 has 2 fields, expected 15/,
    )
    bad(
      () => preprocessAdult(`${ROW(30, 'Private', '>50K')}\n`, ROW(Number.NaN, 'Private', '>50K.')),
      /^adult\/adult\.test: line 1: field 'age' is not a number \('NaN'\)/,
    )
  })
})
