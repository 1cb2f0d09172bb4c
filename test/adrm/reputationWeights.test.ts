import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { payoutShares } from '../../src/core/adrm/payoutShares.ts'
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

describe('payoutShares', () => {
  it('splits in proportion to contribution × reputation, summing to 1', () => {
    const shares = payoutShares([
      { clientId: 'a', reputation: 100, contribution: 10 },
      { clientId: 'b', reputation: 50, contribution: 10 },
      { clientId: 'c', reputation: 100, contribution: 5 },
    ])
    // 1000 : 500 : 500
    assert.deepEqual(shares, { a: 0.5, b: 0.25, c: 0.25 })
  })
  it('pays nothing below the minimum reputation or without a contribution', () => {
    const shares = payoutShares(
      [
        { clientId: 'a', reputation: 100, contribution: 3 },
        { clientId: 'b', reputation: 20, contribution: 3 },
        { clientId: 'c', reputation: 100, contribution: 0 },
      ],
      25,
    )
    assert.deepEqual(shares, { a: 1, b: 0, c: 0 })
    assert.deepEqual(payoutShares([{ clientId: 'a', reputation: 0, contribution: 1 }]), { a: 0 })
  })
})
