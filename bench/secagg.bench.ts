import { performance } from 'node:perf_hooks'
import { createNodeSecaggCrypto } from '../src/adapters/secagg-crypto/index.ts'
import { createMemoryTransport } from '../src/adapters/transport/index.ts'
import type { MessageHandler, Transport } from '../src/core/ports/transport.ts'
import { encodeMessage } from '../src/core/wire/encodeMessage.ts'
import { simulateSecureAggregation } from '../src/runtime/secagg/simulateSecureAggregation.ts'
import { type BenchRow, fmt, measureAsync } from './measure.ts'

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
  /** Bytes of each request type this client received (what it downloads). */
  readonly download: Map<string, number>
  /** Compute inside the handler per request type. */
  readonly msBy: Map<string, number>
  /** Bytes of the consistency signatures relayed in its unmask request. */
  relayedSignatures: number
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
    const cost: ClientCost = {
      ms: 0,
      upload: new Map(),
      download: new Map(),
      msBy: new Map(),
      relayedSignatures: 0,
      stages: 0,
    }
    costs.set(clientId, cost)
    return {
      async handle(message) {
        const request = message as { type: string; signatures?: unknown }
        const add = (map: Map<string, number>, key: string, value: number) =>
          map.set(key, (map.get(key) ?? 0) + value)
        add(cost.download, request.type, encodeMessage(message).length)
        if (request.signatures !== undefined)
          cost.relayedSignatures += encodeMessage(request.signatures).length
        const t0 = performance.now()
        const reply = await inner.handle(message)
        const ms = performance.now() - t0
        cost.ms += ms
        add(cost.msBy, request.type, ms)
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
  // The consistency check (Bonawitz et al. §6): its own stage (sign U3) plus the check of
  // the relayed signatures inside unmasking, timed apart from the unmasking itself.
  const consistencyMs = survivors.map((c) => c.msBy.get('secagg-consistency-request') ?? 0)
  const checkMs = await signatureCheckMs(crypto, degree ?? clients - 1)
  const consistencyBytes = survivors.map(
    (c) =>
      (c.download.get('secagg-consistency-request') ?? 0) +
      (c.upload.get('secagg-consistency') ?? 0) +
      c.relayedSignatures,
  )
  const label = `${clients} clients × ${fmt(dimension)} parameters, ${degree === null ? 'complete graph' : `SecAgg+ k = ${degree}`}, t = ${threshold}, 30 % drop after key sharing`
  return [
    {
      name: `secure aggregation: time per client (${label})`,
      value: `${fmt(median(survivors.map((c) => c.ms)))} ms`,
      detail: `median over the ${survivors.length} survivors of their compute in all five stages (max ${fmt(Math.max(...survivors.map((c) => c.ms)))} ms); target ≤ 1,000 ms`,
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
    {
      name: `secure aggregation: consistency check added time per client (${label})`,
      value: `${fmt(median(consistencyMs) + checkMs, 2)} ms`,
      detail: `median signing of U3 ${fmt(median(consistencyMs), 2)} ms (max ${fmt(Math.max(...consistencyMs), 2)} ms) + checking the ${peers + 1} relayed signatures ${fmt(checkMs, 2)} ms (ECDSA P-256)`,
    },
    {
      name: `secure aggregation: consistency check added bytes per client (${label})`,
      value: `${fmt(median(consistencyBytes))} B`,
      detail: `U3 request down, its signature up, the neighbours' signatures relayed in the unmask request (wire codec); ${fmt(consistencyBytes.reduce((a, b) => a + b, 0))} bytes over all ${survivors.length} survivors`,
    },
  ]
}

/** Time to check `count` relayed consistency signatures, as an owner does before unmasking. */
async function signatureCheckMs(
  crypto: ReturnType<typeof createNodeSecaggCrypto>,
  neighbours: number,
): Promise<number> {
  const statement = encodeMessage(['bench', 'x'.repeat(1000)])
  const signed = Array.from({ length: neighbours + 1 }, (_, i) => {
    const id = `signature-bench-${i}`
    const signer = crypto.identityOf(id)
    return { verifier: signer.verifierOf(id, signer.credential), signature: signer.sign(statement) }
  })
  const m = await measureAsync(3, async () => {
    for (const { verifier, signature } of signed)
      if (!verifier.verify(statement, signature)) throw new Error('bench signature')
  })
  return m.medianMs
}

/** 100 clients × 100,000 parameters with 30 % dropout: complete graph and SecAgg+. */
export async function benchSecureAggregation(): Promise<BenchRow[]> {
  return [
    ...(await benchRound(100, 100_000, 67, null)),
    ...(await benchRound(100, 100_000, 31, 60)),
  ]
}
