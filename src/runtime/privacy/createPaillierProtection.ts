import { MsflError } from '../../core/errors/msflError.ts'
import { sumPaillierUpdates } from '../../core/paillier/sumPaillierUpdates.ts'
import type { PaillierPublic, PaillierSecret } from '../../core/ports/paillier.ts'
import { checkProtectedReply, protectFitReplies } from './protectedReplies.ts'
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
      const rejected: { clientId: string; reason: string }[] = []
      const payloads = new Map<string, Uint8Array>()
      const reported = new Map<string, { numExamples: number; trainLoss: number }>()
      let bytes = 0
      for (const { clientId, reply } of replies) {
        const checked = checkProtectedReply(reply, clientId, round)
        if ('reason' in checked) {
          rejected.push({ clientId, reason: checked.reason })
          continue
        }
        if (checked.reply.payload.length !== 1) {
          rejected.push({
            clientId,
            reason: `${checked.reply.payload.length} payloads, expected 1`,
          })
          continue
        }
        payloads.set(clientId, checked.reply.payload[0]!)
        reported.set(clientId, checked.reply)
        bytes += checked.reply.payload[0]!.length
      }
      const {
        sum,
        summed,
        rejected: unreadable,
      } = sumPaillierUpdates(roles.provider, payloads, params.length)
      for (const r of unreadable) rejected.push({ clientId: r.owner, reason: r.reason })
      if (summed.length < 2 || sum === undefined)
        throw new MsflError(
          'PROTOCOL',
          `round ${round}: ${summed.length} encrypted update(s) summed; decrypting fewer than 2 would reveal an owner's update`,
        )
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
        contributors: summed.map((clientId) => ({ clientId, ...pick(reported.get(clientId)!) })),
        rejected,
        dropped: [],
        bytesPerClient: payloads.size > 0 ? bytes / payloads.size : 0,
      }
    },
    dispose: async () => roles.dispose(),
  }
}

const pick = (r: { numExamples: number; trainLoss: number }) => ({
  numExamples: r.numExamples,
  trainLoss: r.trainLoss,
})
