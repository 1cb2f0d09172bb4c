import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { listDatasets, loadDataset } from '../../src/adapters/data/index.ts'
import { parseDatasetSpec } from '../../src/core/data/parseDatasetSpec.ts'
import { MsflError } from '../../src/core/errors/msflError.ts'

const invalid = (pattern: RegExp) => (e: unknown) =>
  e instanceof MsflError && e.code === 'CONFIG_INVALID' && pattern.test(e.message)

describe('parseDatasetSpec', () => {
  it('parses names and typed options', () => {
    assert.deepEqual(parseDatasetSpec('nsl-kdd:labels=binary'), {
      name: 'nsl-kdd',
      options: { labels: 'binary' },
    })
    assert.deepEqual(parseDatasetSpec('adult'), { name: 'adult', options: {} })
    assert.deepEqual(parseDatasetSpec('mnist:l2,downsample=14'), {
      name: 'mnist',
      options: { l2: true, downsample: 14 },
    })
    assert.deepEqual(parseDatasetSpec('synthetic: drift=0.5, noise=1e-1, x=false, y=12abc'), {
      name: 'synthetic',
      options: { drift: 0.5, noise: 0.1, x: false, y: '12abc' },
    })
  })

  it('rejects empty names, empty keys and repeated keys', () => {
    assert.throws(() => parseDatasetSpec(':a=1'), invalid(/no dataset name/))
    assert.throws(() => parseDatasetSpec('mnist:=3'), invalid(/has no name/))
    assert.throws(() => parseDatasetSpec('mnist:l2,l2=false'), invalid(/'l2' is given twice/))
  })
})

describe('loadDataset options', () => {
  it('rejects unknown datasets, listing the valid names', async () => {
    await assert.rejects(
      loadDataset({ name: 'cifar', options: {} }, 1),
      invalid(
        /unknown name 'cifar' \(valid: mnist, fashion-mnist, adult, breast-cancer, digits, nsl-kdd, synthetic, linreg\)/,
      ),
    )
  })

  it('rejects unknown options, listing the valid ones', async () => {
    await assert.rejects(
      loadDataset({ name: 'nsl-kdd', options: { label: 'binary' } }, 1),
      invalid(/dataset 'nsl-kdd': unknown option 'label' \(valid: labels, test\)/),
    )
    await assert.rejects(
      loadDataset({ name: 'adult', options: { l2: true } }, 1),
      invalid(/valid: none/),
    )
  })

  it('rejects values of the wrong type or range', async () => {
    await assert.rejects(
      loadDataset({ name: 'nsl-kdd', options: { labels: 'three' } }, 1),
      invalid(/option 'labels' must be one of five, binary, got "three"/),
    )
    await assert.rejects(
      loadDataset({ name: 'mnist', options: { downsample: 13 } }, 1),
      invalid(/'downsample' must be one of 28, 14, 7/),
    )
    await assert.rejects(
      loadDataset({ name: 'synthetic', options: { devices: 2.5 } }, 1),
      invalid(/'devices' must be an integer/),
    )
    await assert.rejects(
      loadDataset({ name: 'mnist', options: { l2: 'yes' } }, 1),
      invalid(/'l2' must be true or false/),
    )
  })

  it('lists every dataset with files, licence, citation and options', () => {
    const list = listDatasets()
    assert.deepEqual(
      list.map((d) => d.name),
      [
        'mnist',
        'fashion-mnist',
        'adult',
        'breast-cancer',
        'digits',
        'nsl-kdd',
        'synthetic',
        'linreg',
      ],
    )
    for (const d of list) assert.ok(d.licence.length > 0 && d.description.length > 0)
    const kdd = list.find((d) => d.name === 'nsl-kdd')!
    assert.ok(kdd.files.includes('nsl-kdd/KDDTest+.txt.gz'))
    assert.deepEqual(
      kdd.options.map((o) => [o.name, o.default]),
      [
        ['labels', 'five'],
        ['test', 'full'],
      ],
    )
    assert.match(list[0]!.licence, /CC BY-SA 3\.0/)
  })
})

describe('linreg (synthetic linear regression)', () => {
  it('is reproducible from the seed, a regression set, and refuses negative noise', async () => {
    const a = await loadDataset({ name: 'linreg', options: { samples: 50, noise: 0 } }, 5)
    const b = await loadDataset({ name: 'linreg', options: { samples: 50, noise: 0 } }, 5)
    assert.deepEqual(a.train.y, b.train.y)
    assert.equal(a.train.numClasses, 0)
    assert.equal(a.train.n, 50)
    assert.equal(a.test.n, 500)
    // Another seed draws other weights, features and targets.
    const c = await loadDataset({ name: 'linreg', options: { samples: 50, noise: 0 } }, 6)
    assert.notDeepEqual(a.train.y, c.train.y)
    await assert.rejects(loadDataset({ name: 'linreg', options: { noise: -1 } }, 1), /noise/)
  })
})
