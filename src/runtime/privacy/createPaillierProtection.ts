import { MsflError } from '../../core/errors/msflError.ts'
import { sumPaillierUpdates } from '../../core/paillier/sumPaillierUpdates.ts'
import type { PaillierPublic, PaillierSecret } from '../../core/ports/paillier.ts'
import {
  assertSummedEnough,
  collectProtectedReplies,
  contributorsOf,
  protectFitReplies,
} from './protectedReplies.ts'
import type { UpdateProtection } from './updateProtection.ts'

/** The Paillier roles of `--privacy paillier`, each built by the composition root. */
export interface PaillierRoles {
  readonly spec: string
  /** Public key only: what every data owner encrypts with. */
  readonly owner: PaillierPublic
  /** Public key only: the service provider multiplies ciphertexts it cannot read. */
  readonly provider: PaillierPublic
  /** The secret-key holder: loads the sum and decrypts it. */
  readonly keyHolder: { readonly public: PaillierPublic; readonly secret: PaillierSecret }
  /**
   * The public example count updates are scaled by: an owner sends (nᵢ / nRef)·Δᵢ so
   * that FedAvg weights fit the packing's value range; the sum is scaled back by nRef.
   */
  readonly referenceExamples: number
  dispose(): void
}

/**
 * `--privacy paillier`: owners quantise, pack and encrypt (nᵢ/nRef)·Δᵢ under the key
 * holder's 2048-bit Paillier key (values beyond the packing range saturate, see
 * docs/paillier.md), the service provider multiplies the ciphertexts (adding the packed
 * sums), and the key holder decrypts only the round's sum. Fewer than 2 summed owners
 * is refused: the sum would be one owner's update.
 */
export function createPaillierProtection(roles: PaillierRoles): UpdateProtection {
  const scale = 1 / roles.referenceExamples
  return {
    spec: roles.spec,
    wrapClient: (_clientId, inner) =>
      protectFitReplies(inner, (weighted) => [
        roles.owner.save(
          roles.owner.encryptPacked(
            weighted.map((v) => v * scale),
            { saturate: true },
          ),
        ),
      ]),
    async aggregate({ round, params, replies }) {
      const collected = collectProtectedReplies(replies, round, 1)
      const { rejected, reported, bytes } = collected
      const payloads = new Map([...collected.payloads].map(([id, [payload]]) => [id, payload!]))
      const {
        sum,
        summed,
        rejected: unreadable,
      } = sumPaillierUpdates(roles.provider, payloads, params.length)
      for (const r of unreadable) rejected.push({ clientId: r.owner, reason: r.reason })
      assertSummedEnough(round, summed.length)
      if (sum === undefined) throw new MsflError('PROTOCOL', `round ${round}: nothing was summed`)
      const decrypted = roles.keyHolder.secret.decryptPacked(
        roles.keyHolder.public.load(sum, params.length),
      )
      if (decrypted.count !== summed.length)
        throw new MsflError(
          'PROTOCOL',
          `round ${round}: the decrypted sum counts ${decrypted.count} updates, ${summed.length} were summed`,
        )
      return {
        weightedSum: decrypted.values.map((v) => v * roles.referenceExamples),
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
