import type { HeDecryptor, HeEvaluator } from '../../core/ports/he.ts'
import {
  decryptUpdateSum,
  encryptUpdate,
  sumEncryptedUpdates,
} from '../../core/privacy/ckksUpdates.ts'
import {
  assertSummedEnough,
  collectProtectedReplies,
  contributorsOf,
  protectFitReplies,
} from './protectedReplies.ts'
import type { UpdateProtection } from './updateProtection.ts'

/** The CKKS roles of plaintext-model mode, each built by the composition root. */
export interface CkksRoles {
  readonly preset: string
  /** Public material only: what every data owner encrypts with. */
  readonly owner: HeEvaluator
  /** Public material only: the service provider adds ciphertexts it cannot read. */
  readonly provider: HeEvaluator
  /** The only holder of the secret key (the model requestor): decrypts the round's sum. */
  readonly keyHolder: { readonly evaluator: HeEvaluator; readonly decryptor: HeDecryptor }
  dispose(): void
}

/**
 * `--privacy ckks`: owners encrypt nᵢ·Δᵢ under the key holder's public key, the service
 * provider sums the ciphertexts, the key holder decrypts only the sum. A round with a
 * single contributor is refused: its "sum" would be that owner's update.
 */
export function createCkksProtection(roles: CkksRoles): UpdateProtection {
  return {
    spec: `ckks:preset=${roles.preset}`,
    wrapClient: (_clientId, inner) =>
      protectFitReplies(inner, (weighted) => encryptUpdate(roles.owner, weighted, 1)),
    async aggregate({ round, params, replies }) {
      const { rejected, payloads, reported, bytes } = collectProtectedReplies(replies, round)
      const {
        sum,
        summed,
        rejected: unreadable,
      } = sumEncryptedUpdates(roles.provider, payloads, params.length)
      for (const r of unreadable) rejected.push({ clientId: r.owner, reason: r.reason })
      assertSummedEnough(round, summed.length)
      const weightedSum = decryptUpdateSum(
        roles.keyHolder.evaluator,
        roles.keyHolder.decryptor,
        sum,
        params.length,
      )
      return {
        weightedSum,
        examples: summed.reduce((s, id) => s + reported.get(id)!.numExamples, 0),
        contributors: contributorsOf(summed, reported),
        rejected,
        dropped: [],
        bytesPerClient: payloads.size > 0 ? bytes / payloads.size : 0,
      }
    },
    dispose: async () => roles.dispose(),
  }
}
