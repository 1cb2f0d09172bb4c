import assert from 'node:assert/strict'
import { it } from 'node:test'
import { detectionMetrics } from '../../src/core/metrics/detectionMetrics.ts'

it('detection metrics count each inspected update once against the known attackers', () => {
  const attackers = new Set(['a1', 'a2'])
  const m = detectionMetrics(
    [
      { round: 1, inspected: ['a1', 'a2', 'h1', 'h2', 'h3'], flagged: ['a1', 'h1'] },
      // a2 blocked this round: not inspected, counts for neither side.
      { round: 2, inspected: ['a1', 'h1', 'h2', 'h3'], flagged: ['a1'] },
    ],
    attackers,
  )
  assert.deepEqual(
    [m.truePositives, m.falsePositives, m.falseNegatives, m.trueNegatives],
    [2, 1, 1, 5],
  )
  assert.equal(m.precision, 2 / 3)
  assert.equal(m.recall, 2 / 3)
  assert.equal(m.falsePositiveRate, 1 / 6)
})

it('undefined ratios are null, not 0 or NaN', () => {
  const m = detectionMetrics([{ round: 1, inspected: ['h1'], flagged: [] }], new Set())
  assert.equal(m.precision, null)
  assert.equal(m.recall, null)
  assert.equal(m.falsePositiveRate, 0)
})
