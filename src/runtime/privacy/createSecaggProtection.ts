import { MsflError } from '../../core/errors/msflError.ts'
import type { SecaggCrypto } from '../../core/ports/secaggCrypto.ts'
import type { MessageHandler } from '../../core/ports/transport.ts'
import { createSecaggClient } from '../../core/secagg/createSecaggClient.ts'
import { runSecureAggregation } from '../secagg/runSecureAggregation.ts'
import { collectProtectedReplies, contributorsOf } from './protectedReplies.ts'
import type { UpdateProtection } from './updateProtection.ts'

export interface SecaggProtectionOptions {
  readonly runId: string
  /** Client side (X25519, AES-CTR, AES-GCM): one instance per client in a deployment. */
  readonly crypto: SecaggCrypto
  /** t: shares needed to recover a seed; the round aborts below t survivors. */
  readonly threshold: (contributors: number) => number
  /** Inputs (nᵢ/nRef)·Δᵢ are clipped to [−clip, clip] before quantisation. */
  readonly clip: number
  /** SecAgg+ neighbourhood degree, or null for the complete graph. */
  readonly degree: number | null
  readonly referenceExamples: number
  readonly stageTimeoutMs: number
  /** Simulation: the clients that vanish after key sharing in `round`. */
  readonly dropsOut: (clientId: string, round: number) => boolean
  readonly spec: string
}

/** The server requests a client never answers once it has dropped after key sharing. */
const AFTER_KEY_SHARING = new Set(['secagg-masked-input-request', 'secagg-unmask-request'])

const roundOf = (session: unknown): number | undefined => {
  const match = typeof session === 'string' ? /\/round-(\d+)$/.exec(session) : null
  return match ? Number(match[1]) : undefined
}

/**
 * `--privacy secagg`: each owner answers the fit request with its example count only and
 * keeps (nᵢ/nRef)·Δᵢ; the server then runs one secure-aggregation session over the
 * owners that answered and learns only the survivors' sum (docs/secure-aggregation.md).
 * Owners that drop after key sharing are recovered from their peers' shares; below t
 * survivors the round aborts and the model does not move.
 */
export function createSecaggProtection(o: SecaggProtectionOptions): UpdateProtection {
  const scale = 1 / o.referenceExamples
  return {
    spec: o.spec,
    wrapClient(clientId, inner): MessageHandler {
      const pending = new Map<number, Float64Array>()
      const secagg = createSecaggClient({
        clientId,
        crypto: o.crypto,
        input: ({ session, dimension }) => {
          const round = roundOf(session)
          const update = round === undefined ? undefined : pending.get(round)
          if (!update || update.length !== dimension)
            throw new MsflError('PROTOCOL', `${clientId}: no update for session ${session}`)
          pending.delete(round!)
          return update
        },
      })
      return {
        async handle(message: unknown): Promise<unknown> {
          const m = message as { type?: unknown; session?: unknown } | null
          if (typeof m?.type === 'string' && m.type.startsWith('secagg-')) {
            const round = roundOf(m.session)
            if (round !== undefined && AFTER_KEY_SHARING.has(m.type) && o.dropsOut(clientId, round))
              throw new MsflError('TRANSPORT', `${clientId} dropped out after key sharing`)
            return secagg.handle(message)
          }
          const reply = (await inner.handle(message)) as {
            type?: unknown
            vector?: Float64Array
            numExamples?: number
            round?: number
            trainLoss?: number
          }
          const params = (message as { params?: unknown }).params
          if (reply?.type !== 'fit-result' || !(params instanceof Float64Array)) return reply
          const vector = reply.vector!
          const n = reply.numExamples!
          pending.set(
            reply.round!,
            vector.map((v, j) => n * scale * (v - params[j]!)),
          )
          // Only the example count and loss leave in the clear; the update waits for secagg.
          return {
            type: 'fit-protected',
            clientId,
            round: reply.round,
            numExamples: n,
            trainLoss: reply.trainLoss,
            payload: [],
          }
        },
      }
    },
    async aggregate({ round, params, replies }, transport) {
      const { rejected, reported } = collectProtectedReplies(replies, round, 0)
      const clients = [...reported.keys()]
      const result = await runSecureAggregation({
        transport,
        session: `${o.runId}/round-${round}`,
        clients,
        dimension: params.length,
        threshold: o.threshold(clients.length),
        quantisation: { clip: o.clip },
        degree: o.degree,
        crypto: o.crypto,
        stageTimeoutMs: o.stageTimeoutMs,
      })
      const survivors = result.survivors
      return {
        weightedSum: result.sum.map((v) => v * o.referenceExamples),
        examples: survivors.reduce((s, id) => s + reported.get(id)!.numExamples, 0),
        contributors: contributorsOf(survivors, reported),
        rejected,
        dropped: result.dropped.map((d) => d.clientId),
        // Masked inputs: 4 bytes per parameter (Z_2^32), plus the key-sharing messages.
        bytesPerClient: 4 * params.length,
      }
    },
    dispose: async () => {},
  }
}
