import { sumPaillierUpdates } from '../../core/paillier/sumPaillierUpdates.ts'
import type { PaillierPublic } from '../../core/ports/paillier.ts'
import { createEncryptedSumProtection } from './createEncryptedSumProtection.ts'
import type { UpdateProtection } from './updateProtection.ts'

/** The public Paillier roles of `--privacy paillier`, each built by the composition root. */
export interface PaillierRoles {
  readonly spec: string
  /** Node id of the key holder, the only party with the secret key (openPaillierKeyHolder). */
  readonly keyHolder: string
  /** Public key only: what every data owner encrypts with. */
  readonly owner: PaillierPublic
  /** Public key only: the service provider multiplies ciphertexts it cannot read. */
  readonly provider: PaillierPublic
  /**
   * The public example count updates are scaled by: an owner sends (nᵢ / nRef)·Δᵢ so
   * that FedAvg weights fit the packing's value range; the sum is scaled back by nRef.
   */
  readonly referenceExamples: number
  /** Frees the owner's and the provider's public-key material. */
  dispose(): void
}

/**
 * `--privacy paillier`: owners quantise, pack and encrypt (nᵢ/nRef)·Δᵢ under the key
 * holder's 2048-bit Paillier key (values beyond the packing range saturate, see
 * docs/paillier.md), the service provider multiplies the ciphertexts (adding the packed
 * sums) and asks the key holder, over the transport, to decrypt the sum; the key holder
 * checks the plaintext's own update counter against the claimed contributors and
 * refuses fewer than two.
 */
export function createPaillierProtection(roles: PaillierRoles): UpdateProtection {
  const scale = 1 / roles.referenceExamples
  return createEncryptedSumProtection({
    spec: roles.spec,
    keyHolder: roles.keyHolder,
    encrypt: (weighted) => [
      roles.owner.save(
        roles.owner.encryptPacked(
          weighted.map((v) => v * scale),
          { saturate: true },
        ),
      ),
    ],
    payloadCount: 1,
    sum(payloads, length) {
      const single = new Map([...payloads].map(([id, [payload]]) => [id, payload!]))
      const { sum, summed, rejected } = sumPaillierUpdates(roles.provider, single, length)
      return { sum: sum === undefined ? [] : [sum], summed, rejected }
    },
    unscale: roles.referenceExamples,
    dispose: roles.dispose,
  })
}
