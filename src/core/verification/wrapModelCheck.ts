import { constantTimeEqual } from '../crypto/constantTimeEqual.ts'
import { serverMessageSchema } from '../fl/messages.ts'
import type { ModelSpec } from '../model/model.ts'
import { encodeModelFile } from '../model/modelFile.ts'
import type { MessageHandler } from '../ports/transport.ts'

/** What a participant needs to check the global model it receives against the ledger. */
export interface ModelRegistryView {
  /** The digest the ledger holds for the model after `round` (0: the initial model). */
  registered(round: number): Promise<Uint8Array | undefined>
  /** The ledger's digest function (keccak256 on a chain). */
  digest(bytes: Uint8Array): Uint8Array
}

/** The bytes whose digest the ledger records for a global model: its model file without metadata. */
export function globalModelBytes(spec: ModelSpec, params: Float64Array): Uint8Array {
  return encodeModelFile(spec, params, {})
}

/**
 * A participant's check of the model it is asked to train on (seed 001: every
 * participant verifies the global model): the parameters of a round-r instruction
 * must hash to the digest registered on the ledger after round r − 1. A mismatch or
 * a missing registration is refused with an error reply, so a tampered model (on the
 * wire or at a compromised server) never gets trained on, and the refusal reaches the
 * server's log as a rejected update with its reason.
 */
export function wrapModelCheck(
  inner: MessageHandler,
  clientId: string,
  spec: ModelSpec,
  registry: ModelRegistryView,
): MessageHandler {
  return {
    async handle(message: unknown): Promise<unknown> {
      const instruction = serverMessageSchema.safeParse(message)
      if (!instruction.success) return inner.handle(message)
      const { round, params } = instruction.data
      const expected = await registry.registered(round - 1)
      const refuse = (why: string) => ({
        type: 'error',
        clientId,
        message: `global model refused: ${why}`,
      })
      if (expected === undefined)
        return refuse(`no digest is registered on the ledger for round ${round - 1}`)
      const actual = registry.digest(globalModelBytes(spec, params))
      if (!constantTimeEqual(actual, expected))
        return refuse(`its digest differs from the one registered for round ${round - 1}`)
      return inner.handle(message)
    },
  }
}
