import type { MessageHandler } from '../ports/transport.ts'
import {
  type FitInstruction,
  type FitResult,
  fitInstructionSchema,
  fitResultSchema,
} from './messages.ts'

/**
 * Wraps a training client so that `map` post-processes each fit result together with the
 * instruction it answers (clip and noise it, protect it, …) before it leaves the owner.
 * Anything else — an error reply, a message that is not a fit instruction, or a result
 * `map` returns `undefined` for — passes through unchanged.
 */
export function mapFitReplies(
  inner: MessageHandler,
  map: (instruction: FitInstruction, result: FitResult) => unknown | undefined,
): MessageHandler {
  return {
    async handle(message: unknown): Promise<unknown> {
      const reply = await inner.handle(message)
      const instruction = fitInstructionSchema.safeParse(message)
      const result = fitResultSchema.safeParse(reply)
      if (!instruction.success || !result.success) return reply
      return map(instruction.data, result.data) ?? reply
    },
  }
}
