import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createFedAvg } from '../../src/core/fl/createFedAvg.ts'
import { createFedSgd } from '../../src/core/fl/createFedSgd.ts'
import type { FitResult } from '../../src/core/fl/messages.ts'
import { sampleClients, sampleSize } from '../../src/core/fl/sampleClients.ts'
import { weightedAverage } from '../../src/core/fl/weightedAverage.ts'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'

const training = { epochs: 1, batchSize: 8, learningRate: 0.1, momentum: 0 }
const result = (
  clientId: string,
  kind: 'params' | 'gradient',
  vector: number[],
  numExamples: number,
): FitResult => ({
  type: 'fit-result',
  round: 1,
  clientId,
  kind,
  vector: new Float64Array(vector),
  numExamples,
  trainLoss: 0,
})

describe('weightedAverage', () => {
  it('weights by example counts', () => {
    const avg = weightedAverage([new Float64Array([0, 10]), new Float64Array([4, 2])], [1, 3])
    assert.deepEqual([...avg], [3, 4])
  })
  it('rejects mismatched lengths, bad weights and empty input', () => {
    assert.throws(() => weightedAverage([], []), /zero vectors/)
    assert.throws(
      () => weightedAverage([new Float64Array(2), new Float64Array(3)], [1, 1]),
      /vector 1 has 3 values/,
    )
    assert.throws(() => weightedAverage([new Float64Array(2)], [Number.NaN]), /not a finite/)
    assert.throws(() => weightedAverage([new Float64Array(2)], [0]), /sum to zero/)
  })
})

describe('FedAvg and FedSGD', () => {
  const sampling = { fraction: 1, minClients: 1 }
  it('FedAvg returns the sample-weighted mean of parameters', () => {
    const s = createFedAvg({ sampling, training })
    const next = s.aggregate(1, new Float64Array(2), [
      result('a', 'params', [1, 1], 10),
      result('b', 'params', [3, 5], 30),
    ])
    assert.deepEqual([...next.params], [2.5, 4])
    assert.deepEqual(next.excluded, [])
    assert.throws(
      () => s.aggregate(1, new Float64Array(2), [result('a', 'gradient', [1, 1], 1)]),
      /expected parameters/,
    )
  })
  it('FedSGD steps along the weighted mean gradient', () => {
    const s = createFedSgd({ sampling, training, serverLearningRate: 0.5 })
    const next = s.aggregate(1, new Float64Array([1, 1]), [
      result('a', 'gradient', [2, 0], 1),
      result('b', 'gradient', [0, 4], 1),
    ])
    assert.deepEqual([...next.params], [0.5, 0])
    assert.equal(s.configureRound(1, ['a'], createSeededRng(1)).mode, 'gradient')
  })
})

describe('client sampling', () => {
  const ids = Array.from({ length: 10 }, (_, i) => `do-${i}`)
  it('takes ceil(fraction·n) but never fewer than the minimum', () => {
    assert.equal(sampleSize(10, { fraction: 0.3, minClients: 1 }), 3)
    assert.equal(sampleSize(10, { fraction: 0.1, minClients: 4 }), 4)
    assert.equal(sampleSize(10, { fraction: 1, minClients: 1 }), 10)
    assert.equal(sampleSize(100, { fraction: 0.1, minClients: 2 }), 10)
    assert.throws(() => sampleSize(3, { fraction: 1, minClients: 5 }), /only 3 clients available/)
  })
  it('is deterministic for a seed and varies across rounds', () => {
    const a = sampleClients(ids, { fraction: 0.3, minClients: 1 }, createSeededRng(7))
    const b = sampleClients(ids, { fraction: 0.3, minClients: 1 }, createSeededRng(7))
    assert.deepEqual(a, b)
    assert.equal(new Set(a).size, 3)
    const rng = createSeededRng(7)
    const picks = new Set<string>()
    for (let r = 0; r < 20; r++)
      for (const id of sampleClients(ids, { fraction: 0.3, minClients: 1 }, rng)) picks.add(id)
    assert.equal(picks.size, 10, 'over 20 rounds every client gets picked')
  })
})
