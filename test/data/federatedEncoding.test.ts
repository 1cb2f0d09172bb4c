import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { before, describe, it } from 'node:test'
import { gunzipSync } from 'node:zlib'
import { createNodeSecaggCrypto } from '../../src/adapters/secagg-crypto/index.ts'
import { createMemoryTransport } from '../../src/adapters/transport/index.ts'
import { preprocessAdult } from '../../src/core/data/adult.ts'
import { type Dataset, type DatasetSplit, selectRows } from '../../src/core/data/dataset.ts'
import { featureStatistics, statisticsSensitivity } from '../../src/core/data/featureScaling.ts'
import { createModel } from '../../src/core/model/createModel.ts'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'
import { resolveModelSpec } from '../../src/runtime/resolveModelSpec.ts'
import {
  type ScaledFederation,
  scaleFederation,
} from '../../src/runtime/scaling/scaleFederation.ts'

// Acceptance 4 of issue 13: one training row must not change the model's shape or any
// other owner's features. Before the federated encoding, the one-hot vocabularies came from
// the pooled rows: the single Holand-Netherlands row of adult.data added a feature of its
// own (109 parameters with it, 108 without), so the model's shape revealed that row.

const ADULT = new URL('../../packages/datasets/adult/', import.meta.url)
const OWNERS = 5
const text = (file: string) => gunzipSync(readFileSync(new URL(file, ADULT))).toString('utf8')

/** adult.data without its (0-based) data line `drop`, or whole; the test file as it is. */
function adultWithout(trainLines: readonly string[], testText: string, drop?: number) {
  const kept = drop === undefined ? trainLines : trainLines.filter((_, i) => i !== drop)
  return preprocessAdult(`${kept.join('\n')}\n`, testText)
}

/** Owner of every row: fixed by the row's identity (its line), not by its position. */
function ownersOf(split: DatasetSplit, lines: readonly number[]) {
  return Array.from({ length: OWNERS }, (_, k) => ({
    id: `owner-${k}`,
    data: selectRows(
      split.train,
      lines.flatMap((line, row) => (line % OWNERS === k ? [row] : [])),
    ),
  }))
}

const federate = (
  owners: readonly { id: string; data: Dataset }[],
  split: DatasetSplit,
  source: 'statistics' | 'ranges',
) =>
  scaleFederation({
    runId: 'encoding',
    plan: split.scaling,
    owners,
    source,
    createTransport: (handlers) => createMemoryTransport({ handlers }),
    crypto: createNodeSecaggCrypto(),
    stageTimeoutMs: 60_000,
  })

describe('federated encoding: one training row changes neither the shape nor anyone else’s features', () => {
  let lines: string[]
  let testText: string
  let holland: number
  let random: number
  before(() => {
    lines = text('adult.data.gz')
      .split('\n')
      .filter((line) => line.trim() !== '')
    testText = text('adult.test.gz')
    const hollandRows = lines.flatMap((line, i) => (line.includes('Holand-Netherlands') ? [i] : []))
    assert.equal(hollandRows.length, 1, 'adult.data holds exactly one Holand-Netherlands row')
    holland = hollandRows[0]!
    random = Math.floor(createSeededRng(20261206).next() * lines.length)
  })

  for (const which of ['the Holand-Netherlands row', 'a randomly chosen row'] as const) {
    it(`${which}: same layout and model size; every other row encodes bit for bit the same`, () => {
      const drop = which === 'a randomly chosen row' ? random : holland
      const full = adultWithout(lines, testText)
      const without = adultWithout(lines, testText, drop)
      assert.equal(without.train.n, full.train.n - 1)
      assert.deepEqual(without.train.featureNames, full.train.featureNames)
      assert.deepEqual(without.scaling, full.scaling)
      const params = (s: DatasetSplit) =>
        createModel(resolveModelSpec('logistic', s.train)).numParams
      assert.equal(params(full), 117)
      assert.equal(params(without), params(full))
      const d = full.train.d
      for (let row = 0, kept = 0; row < full.train.n; row++) {
        if (row === drop) continue
        const a = full.train.x.subarray(row * d, (row + 1) * d)
        const b = without.train.x.subarray(kept * d, (kept + 1) * d)
        assert.deepEqual(b, a, `row ${row}`)
        kept++
      }
      assert.deepEqual(without.test.x, full.test.x)
    })
  }

  it('declared-range scaling (client-level DP): every owner’s features are identical without the row', async () => {
    for (const drop of [holland, random]) {
      const full = adultWithout(lines, testText)
      const without = adultWithout(lines, testText, drop)
      const keptLines = lines.map((_, i) => i).filter((i) => i !== drop)
      const a = await federate(
        ownersOf(
          full,
          lines.map((_, i) => i),
        ),
        full,
        'ranges',
      )
      const b = await federate(ownersOf(without, keptLines), without, 'ranges')
      assert.equal(a.source, 'declared-ranges')
      assert.deepEqual(b.scaling, a.scaling)
      const owner = `owner-${drop % OWNERS}`
      for (const [id, data] of b.owners) {
        if (id === owner) continue
        assert.deepEqual(data.x, a.owners.get(id)!.x, id)
      }
      assert.deepEqual(b.scale(without.test).x, a.scale(full.test).x)
    }
  })

  it('secure-aggregated statistics: the agreed scaling moves only by the dropped row’s bounded contribution', async () => {
    const full = adultWithout(lines, testText)
    const without = adultWithout(lines, testText, holland)
    const keptLines = lines.map((_, i) => i).filter((i) => i !== holland)
    const fullOwners = ownersOf(
      full,
      lines.map((_, i) => i),
    )
    const a: ScaledFederation = await federate(fullOwners, full, 'statistics')
    const b: ScaledFederation = await federate(ownersOf(without, keptLines), without, 'statistics')
    assert.equal(a.source, 'secure-aggregation')
    const plan = full.scaling!
    // The pooled statistics the requestor could compute with every row, for comparison only.
    const pooled = featureStatistics(full.train, plan)
    const row = featureStatistics(selectRows(full.train, [holland]), plan)
    assert.equal(row[0], 1)
    // One row changes the summed statistics by (1, u, u²) with u ∈ [0, 1]: L2 norm ≤ √(1 + 2k).
    let norm = 0
    for (const v of row) norm += v * v
    assert.ok(Math.sqrt(norm) <= statisticsSensitivity(plan))
    // The agreed scaling is the pooled one (secure aggregation loses only quantisation) …
    const n = pooled[0]!
    plan.features.forEach(({ lo, hi }, j) => {
      const mean = lo + ((hi - lo) * pooled[1 + j]!) / n
      assert.ok(Math.abs(a.scaling!.mean[j]! - mean) < 1e-6 * (hi - lo), `mean ${j}`)
    })
    // … and without the row it moves by that row's share only: |Δmean| ≤ (hi − lo) / (n − 1).
    plan.features.forEach(({ lo, hi }, j) => {
      const moved = Math.abs(a.scaling!.mean[j]! - b.scaling!.mean[j]!)
      assert.ok(moved <= (hi - lo) / (n - 1) + 1e-6 * (hi - lo), `mean ${j} moved ${moved}`)
    })
    // Shapes stay: every owner holds the same features, whichever rows it has.
    for (const [id, data] of b.owners) assert.equal(data.d, a.owners.get(id)!.d)
  })
})
