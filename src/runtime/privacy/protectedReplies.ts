import { z } from 'zod'
import { describeZodError } from '../../core/errors/describeZodError.ts'
import { mapFitReplies } from '../../core/fl/mapFitReplies.ts'
import type { MessageHandler } from '../../core/ports/transport.ts'

/** A client's protected fit reply: its update travels only inside `payload`. */
export const protectedReplySchema = z.object({
  type: z.literal('fit-protected'),
  clientId: z.string().min(1).max(200),
  round: z.number().int().min(1),
  numExamples: z.number().int().min(1),
  trainLoss: z.number(),
  payload: z.array(z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected bytes')),
})
export type ProtectedReply = z.infer<typeof protectedReplySchema>

/**
 * Wraps a training client: the plaintext fit result never leaves the wrapper; `protect`
 * turns the example-weighted update nᵢ·Δᵢ into the bytes that do. Errors of the inner
 * client pass through unchanged.
 */
export function protectFitReplies(
  inner: MessageHandler,
  protect: (weightedDelta: Float64Array, numExamples: number, round: number) => Uint8Array[],
): MessageHandler {
  return mapFitReplies(inner, (instruction, result) => {
    const { params } = instruction
    const { vector, numExamples } = result
    if (result.kind !== 'params' || vector.length !== params.length)
      return {
        type: 'error',
        clientId: result.clientId,
        message: 'protected updates need FedAvg (parameters back from every client)',
      }
    const weighted = new Float64Array(vector.length)
    for (let j = 0; j < vector.length; j++) weighted[j] = numExamples * (vector[j]! - params[j]!)
    return {
      type: 'fit-protected',
      clientId: result.clientId,
      round: result.round,
      numExamples,
      trainLoss: result.trainLoss,
      payload: protect(weighted, numExamples, result.round),
    }
  })
}

/** Checks one protected reply; returns the reason it is refused, or the parsed reply. */
export function checkProtectedReply(
  reply: unknown,
  clientId: string,
  round: number,
): { reason: string } | { reply: ProtectedReply } {
  if (typeof reply === 'object' && reply !== null && (reply as { type?: unknown }).type === 'error')
    return { reason: `client error: ${String((reply as { message?: unknown }).message)}` }
  const parsed = protectedReplySchema.safeParse(reply)
  if (!parsed.success)
    return { reason: `malformed protected reply: ${describeZodError(parsed.error)}` }
  if (parsed.data.clientId !== clientId)
    return { reason: `reply claims to come from ${JSON.stringify(parsed.data.clientId)}` }
  if (parsed.data.round !== round)
    return { reason: `reply is for round ${parsed.data.round}, expected ${round}` }
  return { reply: parsed.data }
}

/** What the client reported in the clear about its protected update. */
export interface ReportedFit {
  readonly numExamples: number
  readonly trainLoss: number
}

/**
 * The server stage's first step for every protection: checks each reply, keeps the
 * payloads of the valid ones (exactly `payloadCount` when given) and what their senders
 * reported, and records the reason for every refused one.
 */
export function collectProtectedReplies(
  replies: readonly { readonly clientId: string; readonly reply: unknown }[],
  round: number,
  payloadCount?: number,
): {
  rejected: { clientId: string; reason: string }[]
  payloads: Map<string, readonly Uint8Array[]>
  reported: Map<string, ReportedFit>
  /** Σ payload bytes over the valid replies. */
  bytes: number
} {
  const rejected: { clientId: string; reason: string }[] = []
  const payloads = new Map<string, readonly Uint8Array[]>()
  const reported = new Map<string, ReportedFit>()
  let bytes = 0
  for (const { clientId, reply } of replies) {
    const checked = checkProtectedReply(reply, clientId, round)
    if ('reason' in checked) {
      rejected.push({ clientId, reason: checked.reason })
      continue
    }
    const { payload } = checked.reply
    if (payloadCount !== undefined && payload.length !== payloadCount) {
      rejected.push({ clientId, reason: `${payload.length} payloads, expected ${payloadCount}` })
      continue
    }
    payloads.set(clientId, payload)
    reported.set(clientId, checked.reply)
    bytes += payload.reduce((s, c) => s + c.length, 0)
  }
  return { rejected, payloads, reported, bytes }
}

/** The contributors of a protected sum, with what each reported in the clear. */
export function contributorsOf(
  ids: readonly string[],
  reported: ReadonlyMap<string, ReportedFit>,
): { clientId: string; numExamples: number; trainLoss: number }[] {
  return ids.map((clientId) => ({
    clientId,
    numExamples: reported.get(clientId)!.numExamples,
    trainLoss: reported.get(clientId)!.trainLoss,
  }))
}
