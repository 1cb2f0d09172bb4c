import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Transport } from '../../src/core/ports/transport.ts'
import type { MaskedInputRequest } from '../../src/core/secagg/secaggMessages.ts'
import { simulateSecureAggregation } from '../../src/runtime/secagg/simulateSecureAggregation.ts'
import {
  clippedSum,
  crypto,
  maxDeviation,
  memoryTransport,
  randomInputs,
} from './secaggFixtures.ts'

/** A server-side man in the middle that rewrites the bundles routed to one client. */
function tampering(
  inner: Transport,
  victim: string,
  rewrite: (shares: MaskedInputRequest['shares']) => MaskedInputRequest['shares'],
): Transport {
  return {
    request(to, message, options) {
      const m = message as MaskedInputRequest
      if (to === victim && m.type === 'secagg-masked-input-request')
        return inner.request(to, { ...m, shares: rewrite(m.shares) }, options)
      return inner.request(to, message, options)
    },
    stats: () => inner.stats(),
  }
}

describe('share bundles are authenticated', () => {
  const inputs = randomInputs(10, 100, 9)
  const run = (session: string, victim: string, rewrite: Parameters<typeof tampering>[2]) =>
    simulateSecureAggregation({
      session,
      inputs,
      threshold: 7,
      quantisation: { clip: 1 },
      crypto,
      stageTimeoutMs: 10_000,
      makeTransport: (handlers) => tampering(memoryTransport(handlers), victim, rewrite),
    })

  it('a flipped ciphertext byte is rejected: the recipient refuses to go on and the round completes without it', async () => {
    const result = await run('tamper-byte', 'do-3', (shares) =>
      shares.map((s, i) => {
        if (i !== 2) return s
        const ciphertext = s.ciphertext.slice()
        ciphertext[30]! ^= 0x80
        return { ...s, ciphertext }
      }),
    )
    assert.equal(result.dropped.length, 1)
    assert.equal(result.dropped[0]!.clientId, 'do-3')
    assert.match(
      result.dropped[0]!.reason,
      /client error: share bundle from "do-\d": .*failed authentication/,
    )
    const exact = clippedSum(inputs, result.survivors, 1)
    assert.equal(result.survivors.length, 9)
    assert.ok(maxDeviation(result.sum, exact.sum) <= result.errorBound + exact.floatError)
  })

  it('a bundle passed off as another peer’s (redirected by the server) fails authentication too', async () => {
    const result = await run('tamper-swap', 'do-4', (shares) =>
      shares.map((s, i) =>
        i === 0
          ? { ...s, ciphertext: shares[1]!.ciphertext }
          : i === 1
            ? { ...s, ciphertext: shares[0]!.ciphertext }
            : s,
      ),
    )
    assert.deepEqual(
      result.dropped.map((d) => d.clientId),
      ['do-4'],
    )
    assert.match(result.dropped[0]!.reason, /failed authentication/)
  })
})
