import type { RunEnded } from '../../core/deploy/deploymentMessages.ts'
import type { MessageHandler } from '../../core/ports/transport.ts'
import {
  type KeyHolderPublic,
  keyHolderPublicRequestSchema,
} from '../../core/privacy/keyHolderMessages.ts'
import type { ProtectionParticipant } from '../privacy/updateProtection.ts'
import { acceptRunEnd } from './acceptRunEnd.ts'

/** A key holder process's handler, and the run's end as the provider announced it. */
export interface KeyHolderParticipant extends MessageHandler {
  /** Settles when the provider sends `run-ended`. */
  readonly ended: Promise<RunEnded>
}

/**
 * The key holder of a deployed `privacy: ckks|paillier` job behind one participant: it
 * gives its signed public key for its own run, decrypts round sums through the guarded
 * handler a simulation's key holder has (createKeyHolder: at least two owners' updates, one
 * decryption per round, none after the job's last), and settles `ended` on `run-ended`.
 * Anything else is refused; the secret key never leaves `keys`.
 */
export function createKeyHolderParticipant(p: {
  readonly runId: string
  readonly name: string
  readonly keyHolder: ProtectionParticipant
  readonly publicKey: KeyHolderPublic
}): KeyHolderParticipant {
  const end = acceptRunEnd(p.runId, p.name)
  const error = (message: string) => ({ type: 'error', clientId: p.name, message })
  return {
    ended: end.ended,
    async handle(message: unknown): Promise<unknown> {
      const type = (message as { type?: unknown } | null)?.type
      if (type === 'run-ended') return end.handle(message)
      if (type === 'key-holder-public-request') {
        const parsed = keyHolderPublicRequestSchema.safeParse(message)
        if (!parsed.success || parsed.data.runId !== p.runId)
          return error('key-holder-public-request: not this run')
        return p.publicKey
      }
      if (type === 'key-holder-decrypt') return p.keyHolder.handler.handle(message)
      return error(`a key holder does not answer ${JSON.stringify(type)}`)
    },
  }
}
