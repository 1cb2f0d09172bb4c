import type { Party } from './protocolStep.ts'
import { type RingVector, ringAddInto, ringCount, ringSlice } from './ring64.ts'
import { multiplyRingScalar } from './ringLimbProducts.ts'

/**
 * Turns this node's shares of X·W (n × k) into shares of the values the sign tests
 * compare: adds the bias (scale 2^f, lifted to the logits' scale 2^2f) and, for
 * softmax, breaks ties the way plaintext argmax does. Plaintext evaluation predicts the
 * lowest index among equal logits; with z'_c = k·z_c + (k − 1 − c) every z' is distinct
 * and the largest z' is exactly that lowest-index argmax, so "true class wins" becomes
 * the strict test z'_y > z'_c for all c ≠ y. Public constants are added by party 0 only.
 */
export function finishLogits(
  party: Party,
  product: RingVector,
  bias: RingVector,
  samples: number,
  kind: 'softmax' | 'logistic',
  fractionBits: number,
): RingVector {
  const k = ringCount(bias)
  const liftedBias = multiplyRingScalar(bias, 2n ** BigInt(fractionBits))
  const logits = Uint32Array.from(product)
  for (let i = 0; i < samples; i++) {
    const row = ringSlice(logits, i * k, k)
    ringAddInto(row, row, liftedBias)
  }
  if (kind === 'logistic') return logits
  const scaled = multiplyRingScalar(logits, BigInt(k))
  if (party.index === 0)
    for (let i = 0; i < samples; i++)
      for (let c = 0; c < k; c++) {
        // k − 1 − c < 2^32 and the sum never carries past what one add can fix.
        const q = 2 * (i * k + c)
        const lo = scaled[q]! + (k - 1 - c)
        scaled[q + 1] = scaled[q + 1]! + (lo >= 4294967296 ? 1 : 0)
        scaled[q] = lo
      }
  return scaled
}
