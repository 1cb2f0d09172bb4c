import { createNodeSecaggCrypto } from '../../src/adapters/secagg-crypto/index.ts'
import { createMemoryTransport } from '../../src/adapters/transport/index.ts'
import type { MessageHandler, Transport } from '../../src/core/ports/transport.ts'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'

/** Shared by the secure-aggregation tests: real crypto, the codec-checking memory transport. */
export const crypto = createNodeSecaggCrypto()

export const memoryTransport = (handlers: ReadonlyMap<string, MessageHandler>): Transport =>
  createMemoryTransport({ handlers })

/** Inputs with values spread over [−1.2·clip, 1.2·clip], so some are clipped. Not secrets: seeded. */
export function randomInputs(
  clients: number,
  dimension: number,
  seed: number,
  clip = 1,
): Map<string, Float64Array> {
  const rng = createSeededRng(seed)
  const out = new Map<string, Float64Array>()
  for (let i = 0; i < clients; i++)
    out.set(
      `do-${i}`,
      Float64Array.from({ length: dimension }, () => (rng.next() * 2.4 - 1.2) * clip),
    )
  return out
}

/** Σ clip(x) over `ids` in float64, and a bound on that float64 sum's own rounding error. */
export function clippedSum(
  inputs: ReadonlyMap<string, Float64Array>,
  ids: readonly string[],
  clip: number,
): { sum: Float64Array; floatError: number } {
  const d = inputs.values().next().value!.length
  const sum = new Float64Array(d)
  for (const id of ids) {
    const x = inputs.get(id)!
    for (let j = 0; j < d; j++) sum[j]! += Math.min(clip, Math.max(-clip, x[j]!))
  }
  // Recursive summation of m terms of size ≤ clip: error ≤ (m − 1)·2^-53·m·clip.
  return { sum, floatError: ids.length * ids.length * clip * 2 ** -53 }
}

export function maxDeviation(a: Float64Array, b: Float64Array): number {
  let worst = 0
  for (let j = 0; j < a.length; j++) worst = Math.max(worst, Math.abs(a[j]! - b[j]!))
  return worst
}

export interface RecordingTransport extends Transport {
  /** Every reply the server received, with its sender: the server's whole view. */
  readonly received: { readonly from: string; readonly reply: unknown }[]
  readonly sent: { readonly to: string; readonly message: unknown }[]
}

export function recording(inner: Transport): RecordingTransport {
  const received: { from: string; reply: unknown }[] = []
  const sent: { to: string; message: unknown }[] = []
  return {
    received,
    sent,
    async request(to, message, options) {
      sent.push({ to, message })
      const reply = await inner.request(to, message, options)
      received.push({ from: to, reply })
      return reply
    },
    stats: () => inner.stats(),
  }
}
