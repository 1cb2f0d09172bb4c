import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { defaultLevels, quantisationErrorBound } from '../../src/core/secagg/quantisation.ts'
import { simulateSecureAggregation } from '../../src/runtime/secagg/simulateSecureAggregation.ts'
import {
  clippedSum,
  crypto,
  maxDeviation,
  memoryTransport,
  randomInputs,
  recording,
} from './secaggFixtures.ts'

describe('secure aggregation equals the plaintext sum within the documented quantisation bound', () => {
  for (const [clients, dimension, threshold] of [
    [10, 1000, 7],
    [100, 1000, 67],
  ] as const)
    it(`${clients} clients × ${dimension} parameters, t = ${threshold}`, async () => {
      const inputs = randomInputs(clients, dimension, clients)
      let transport: ReturnType<typeof recording> | undefined
      const result = await simulateSecureAggregation({
        session: `equality-${clients}`,
        inputs,
        threshold,
        quantisation: { clip: 1 },
        crypto,
        stageTimeoutMs: 60_000,
        makeTransport: (handlers) => {
          transport = recording(memoryTransport(handlers))
          return transport
        },
      })
      assert.deepEqual(result.survivors, [...inputs.keys()])
      assert.deepEqual(result.dropped, [])
      assert.deepEqual(result.unmaskingDropouts, [])
      assert.equal(
        result.errorBound,
        quantisationErrorBound({ clip: 1, levels: defaultLevels(clients) }, clients),
      )
      const exact = clippedSum(inputs, [...inputs.keys()], 1)
      const deviation = maxDeviation(result.sum, exact.sum)
      assert.ok(
        deviation <= result.errorBound + exact.floatError,
        `deviation ${deviation} > bound ${result.errorBound}`,
      )
      // Every message crossed the wire codec; five stages, one request per client each.
      assert.equal(transport!.sent.length, 5 * clients)
    })

  it('a coarse quantisation errs visibly, still within n·Δ/2', async () => {
    const inputs = randomInputs(10, 500, 3, 4)
    const quantisation = { clip: 4, levels: 100 }
    const result = await simulateSecureAggregation({
      session: 'coarse',
      inputs,
      threshold: 6,
      quantisation,
      crypto,
      stageTimeoutMs: 60_000,
      makeTransport: memoryTransport,
    })
    const exact = clippedSum(inputs, [...inputs.keys()], 4)
    const deviation = maxDeviation(result.sum, exact.sum)
    assert.equal(result.errorBound, quantisationErrorBound(quantisation, 10))
    assert.ok(deviation > 0.02 && deviation <= result.errorBound, `deviation ${deviation}`)
  })
})
