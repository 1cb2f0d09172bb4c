import { describeZodError } from '../errors/describeZodError.ts'
import type { MessageHandler } from '../ports/transport.ts'
import { type ClientMessage, type FitInstruction, serverMessageSchema } from './messages.ts'

/**
 * The message handling every training client shares: each message is parsed as a
 * server instruction; a malformed one gets an error reply naming the problem (never an
 * exception that would take the client down), a valid one whatever `fit` answers.
 */
export function createFitHandler(
  clientId: string,
  fit: (instruction: FitInstruction) => ClientMessage | Promise<ClientMessage>,
): MessageHandler {
  return {
    async handle(message: unknown): Promise<unknown> {
      const parsed = serverMessageSchema.safeParse(message)
      if (!parsed.success)
        return {
          type: 'error',
          clientId,
          message: `invalid instruction: ${describeZodError(parsed.error)}`,
        } satisfies ClientMessage
      return fit(parsed.data)
    },
  }
}
