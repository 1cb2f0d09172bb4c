import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import { loadDataset } from '../../src/adapters/data/index.ts'
import { type DatasetSplit, labelHistogram } from '../../src/core/data/dataset.ts'
import { nslKddCategory, preprocessNslKdd } from '../../src/core/data/nslKdd.ts'
import { MsflError } from '../../src/core/errors/msflError.ts'

function record(service: string, label: string, srcBytes = 491): string {
  const rest = new Array(36).fill('0').join(',')
  return `0,tcp,${service},SF,${srcBytes},${rest},${label},20`
}

describe('NSL-KDD loader', () => {
  let five: DatasetSplit
  before(async () => {
    five = await loadDataset({ name: 'nsl-kdd', options: {} }, 1)
  })

  it('KDDTest+ per-category counts equal the README table (normal, DoS, Probe, R2L, U2R)', () => {
    assert.deepEqual(five.test.classNames, ['normal', 'DoS', 'Probe', 'R2L', 'U2R'])
    assert.equal(five.test.n, 22_544)
    assert.deepEqual(labelHistogram(five.test), [9711, 7460, 2421, 2752, 200])
    assert.deepEqual(labelHistogram(five.train), [13_449, 9234, 2289, 209, 11])
  })

  it('has 125 finite features, same layout in train and test, difficulty dropped', () => {
    // 38 numerics + 3 protocols, 70 services, 11 flags, each group with an unlisted bucket.
    assert.equal(five.train.d, 125)
    assert.equal(five.test.featureNames, five.train.featureNames)
    assert.ok(five.train.featureNames.includes('service=http'))
    assert.ok(five.train.featureNames.includes('protocol_type=icmp'))
    assert.ok(!five.train.featureNames.some((name) => /difficulty/.test(name)))
    for (const x of [five.train.x, five.test.x]) assert.ok(x.every(Number.isFinite))
  })

  it('log-scales heavy-tailed counts and leaves them for the job to standardise', () => {
    const names = five.train.featureNames
    const j = names.indexOf('src_bytes')
    assert.ok(five.scaling?.features.some((f) => f.feature === j))
    // The first row of KDDTrain+_20Percent: src_bytes 491.
    assert.ok(Math.abs(five.train.x[j]! - Math.log1p(491)) < 1e-5)
    assert.equal(five.scaling?.features.length, 38)
  })

  it('binary labels: normal 0, attack 1; test=hard reads KDDTest-21', async () => {
    const binary = await loadDataset(
      { name: 'nsl-kdd', options: { labels: 'binary', test: 'hard' } },
      1,
    )
    assert.deepEqual(binary.train.classNames, ['normal', 'attack'])
    assert.deepEqual(labelHistogram(binary.train), [13_449, 25_192 - 13_449])
    assert.deepEqual(labelHistogram(binary.test), [2152, 11_850 - 2152])
  })
})

describe('preprocessNslKdd', () => {
  it('encodes a service outside the KDD list as (unlisted), and KDD’s own "other" as itself', () => {
    const train = `${record('http', 'normal')}\n${record('ftp', 'neptune', 10)}\n`
    const split = preprocessNslKdd(
      train,
      `${record('gopher', 'smurf')}\n${record('quic', 'smurf')}\n`,
    )
    const names = split.train.featureNames
    assert.equal(names.filter((n) => n.startsWith('service=')).length, 71)
    const at = (row: number, name: string) => split.test.x[row * split.test.d + names.indexOf(name)]
    assert.equal(at(0, 'service=gopher'), 1)
    assert.equal(at(1, 'service=(unlisted)'), 1)
    assert.equal(at(1, 'service=other'), 0)
    assert.deepEqual([...split.train.y, ...split.test.y], [0, 1, 1, 1])
  })

  it('rejects an attack type outside the mapping, naming file and line', () => {
    assert.throws(
      () => preprocessNslKdd(`${record('http', 'normal')}\n`, `\n${record('http', 'teleport')}\n`),
      (e: unknown) =>
        e instanceof MsflError &&
        e.code === 'DATA_FORMAT' &&
        /^nsl-kdd\/KDDTest\+\.txt: line 2: unknown attack type 'teleport'/.test(e.message),
    )
  })

  it('maps the test-only attack types to their categories', () => {
    assert.equal(nslKddCategory('mscan'), 'Probe')
    assert.equal(nslKddCategory('httptunnel'), 'U2R')
    assert.equal(nslKddCategory('worm'), 'DoS')
    assert.equal(nslKddCategory('snmpguess'), 'R2L')
    assert.equal(nslKddCategory('normal'), 'normal')
    assert.equal(nslKddCategory('unknown'), undefined)
  })
})
