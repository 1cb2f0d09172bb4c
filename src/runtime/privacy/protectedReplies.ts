import { z } from 'zod'
import { describeZodError, fitInstructionSchema, fitResultSchema } from '../../core/fl/messages.ts'
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
  return {
    async handle(message: unknown): Promise<unknown> {
      const reply = await inner.handle(message)
      const instruction = fitInstructionSchema.safeParse(message)
      const result = fitResultSchema.safeParse(reply)
      if (!instruction.success || !result.success) return reply
      const { params } = instruction.data
      const { vector, numExamples } = result.data
      if (result.data.kind !== 'params' || vector.length !== params.length)
        return {
          type: 'error',
          clientId: result.data.clientId,
          message: 'protected updates need FedAvg (parameters back from every client)',
        }
      const weighted = new Float64Array(vector.length)
      for (let j = 0; j < vector.length; j++) weighted[j] = numExamples * (vector[j]! - params[j]!)
      return {
        type: 'fit-protected',
        clientId: result.data.clientId,
        round: result.data.round,
        numExamples,
        trainLoss: result.data.trainLoss,
        payload: protect(weighted, numExamples, result.data.round),
      }
    },
  }
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
