import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { reputationWeights } from '../../src/core/adrm/reputationWeights.ts'

describe('reputationWeights', () => {
  it('scales example counts by reputation / 100, clamped to [0, 1]', () => {
    const weights = reputationWeights([
      { numExamples: 200, reputation: 100 },
      { numExamples: 200, reputation: 50 },
      { numExamples: 100, reputation: 0 },
      { numExamples: 100, reputation: 150 },
      { numExamples: 100, reputation: -5 },
    ])
    assert.deepEqual(weights, [200, 100, 0, 100, 0])
    assert.deepEqual(reputationWeights([{ numExamples: 10, reputation: 5 }], 10), [5])
  })
})
