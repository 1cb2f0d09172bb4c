import { performance } from 'node:perf_hooks'
import { createNodeSecaggCrypto } from '../src/adapters/secagg-crypto/index.ts'
import { createMemoryTransport } from '../src/adapters/transport/index.ts'
import type { MessageHandler, Transport } from '../src/core/ports/transport.ts'
import { encodeMessage } from '../src/core/wire/encodeMessage.ts'
import { simulateSecureAggregation } from '../src/runtime/secagg/simulateSecureAggregation.ts'
import { type BenchRow, fmt } from './measure.ts'

/**
 * Requests one at a time, so that the time inside a handler is that client's own
 * compute (the in-memory transport would otherwise interleave the clients' handlers).
 */
function oneAtATime(inner: Transport): Transport {
  let queue: Promise<unknown> = Promise.resolve()
  return {
    request(to, message, options) {
      const result = queue.then(() => inner.request(to, message, options))
      queue = result.catch(() => undefined)
      return result
    },
    stats: () => inner.stats(),
  }
}

interface ClientCost {
  ms: number
  /** Bytes of each reply type this client sent (what it uploads). */
  readonly upload: Map<string, number>
  stages: number
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

async function benchRound(
  clients: number,
  dimension: number,
  threshold: number,
  degree: number | null,
): Promise<BenchRow[]> {
  const crypto = createNodeSecaggCrypto()
  const inputs = new Map<string, Float64Array>()
  for (let i = 0; i < clients; i++)
    inputs.set(
      `do-${i}`,
      Float64Array.from({ length: dimension }, () => Math.random() * 2 - 1),
    )
  // 30 % drop after key sharing, spread over the index order.
  const dropped = [...inputs.keys()].filter((_, i) => i % 10 < 3)
  const costs = new Map<string, ClientCost>()
  const timed = (clientId: string, inner: MessageHandler): MessageHandler => {
    const cost: ClientCost = { ms: 0, upload: new Map(), stages: 0 }
    costs.set(clientId, cost)
    return {
      async handle(message) {
        const t0 = performance.now()
        const reply = await inner.handle(message)
        cost.ms += performance.now() - t0
        cost.stages += 1
        const type = String((reply as { type?: unknown }).type)
        cost.upload.set(type, (cost.upload.get(type) ?? 0) + encodeMessage(reply).length)
        return reply
      },
    }
  }
  const result = await simulateSecureAggregation({
    session: `bench-${clients}-${dimension}-${degree ?? 'all'}`,
    inputs,
    threshold,
    degree,
    quantisation: { clip: 1 },
    crypto,
    stageTimeoutMs: 600_000,
    dropAfterKeySharing: dropped,
    makeTransport: (handlers) => oneAtATime(createMemoryTransport({ handlers })),
    wrapClient: timed,
  })
  const survivors = result.survivors.map((id) => costs.get(id)!)
  const peers = degree ?? clients - 1
  const masked = median(survivors.map((c) => c.upload.get('secagg-masked-input')!))
  const keyMaterial = median(
    survivors.map(
      (c) =>
        (c.upload.get('secagg-keys') ?? 0) +
        (c.upload.get('secagg-shares') ?? 0) +
        (c.upload.get('secagg-unmask') ?? 0),
    ),
  )
  const label = `${clients} clients × ${fmt(dimension)} parameters, ${degree === null ? 'complete graph' : `SecAgg+ k = ${degree}`}, t = ${threshold}, 30 % drop after key sharing`
  return [
    {
      name: `secure aggregation: time per client (${label})`,
      value: `${fmt(median(survivors.map((c) => c.ms)))} ms`,
      detail: `median over the ${survivors.length} survivors of their compute in all four stages (max ${fmt(Math.max(...survivors.map((c) => c.ms)))} ms); target ≤ 1,000 ms`,
    },
    {
      name: `secure aggregation: server time (${label})`,
      value: `${fmt(result.serverComputeMs)} ms`,
      detail: `server steps only (routing, summing, ${result.survivors.length} self-masks and ${result.dropped.length} secret keys rebuilt, masks removed); target ≤ 10,000 ms`,
    },
    {
      name: `secure aggregation: upload per parameter (${label})`,
      value: `${fmt(masked / dimension, 4)} B`,
      detail: `masked input message ${fmt(masked)} bytes on the wire for ${fmt(dimension)} parameters in Z_2^32; target ≤ 4.5 B`,
    },
    {
      name: `secure aggregation: key material per peer (${label})`,
      value: `${fmt(keyMaterial / peers, 1)} B`,
      detail: `keys, sealed share bundles and revealed shares a survivor uploads (${fmt(keyMaterial)} bytes for ${peers} peers)`,
    },
  ]
}

/** 100 clients × 100,000 parameters with 30 % dropout: complete graph and SecAgg+. */
export async function benchSecureAggregation(): Promise<BenchRow[]> {
  return [
    ...(await benchRound(100, 100_000, 67, null)),
    ...(await benchRound(100, 100_000, 31, 60)),
  ]
}
