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

  it('has the declared layout in train and test, with names like workclass=Private', () => {
    // 6 numerics + the adult.names categories (with '?' where it occurs) + one unlisted bucket per categorical.
    assert.equal(split.train.d, 116)
    assert.equal(split.test.d, split.train.d)
    assert.equal(split.test.featureNames, split.train.featureNames)
    assert.equal(split.train.featureNames.length, split.train.d)
    for (const name of [
      'age',
      'capital-gain',
      'workclass=Private',
      'workclass=?',
      'native-country=?',
      'native-country=Holand-Netherlands',
      'native-country=(unlisted)',
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

  it('leaves the numerics on their own scale for the job to standardise, and plans exactly them', () => {
    const { x, d, featureNames } = split.train
    assert.deepEqual(
      split.scaling?.features.map((f) => featureNames[f.feature]),
      ['age', 'fnlwgt', 'education-num', 'capital-gain', 'capital-loss', 'hours-per-week'],
    )
    // The first row of adult.data: 39, State-gov, 77516, Bachelors, 13, …, 2174, 0, 40.
    assert.deepEqual(
      ['age', 'fnlwgt', 'education-num', 'capital-gain', 'capital-loss', 'hours-per-week'].map(
        (name) => x[featureNames.indexOf(name)],
      ),
      [39, 77516, 13, 2174, 0, 40],
    )
    assert.equal(x[d + featureNames.indexOf('age')], 50)
  })
})

describe('preprocessAdult', () => {
  it('skips the cross-validator banner and blank lines; values outside the schema go to (unlisted), numerics are clamped', () => {
    const train = `${ROW(30, 'Private', '<=50K')}\n${ROW(50, 'State-gov', '>50K')}\n\n`
    const test = `|1x3 Cross validator\n${ROW(140, 'Moonlighting', '>50K.')}\n\n`
    const split = preprocessAdult(train, test)
    assert.equal(split.test.n, 1)
    assert.equal(split.test.y[0], 1)
    const names = split.train.featureNames
    const group = names.flatMap((name, j) => (name.startsWith('workclass=') ? [j] : []))
    // The layout comes from the schema: a two-row train set has the full workclass group.
    assert.equal(group.length, 10)
    for (const j of group)
      assert.equal(split.test.x[j], names[j] === 'workclass=(unlisted)' ? 1 : 0, String(names[j]))
    assert.equal(split.test.x[names.indexOf('age')], 100)
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
