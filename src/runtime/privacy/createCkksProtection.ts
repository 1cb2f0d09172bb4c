import type { HeEvaluator } from '../../core/ports/he.ts'
import { encryptUpdate, sumEncryptedUpdates } from '../../core/privacy/ckksUpdates.ts'
import { createEncryptedSumProtection } from './createEncryptedSumProtection.ts'
import type { UpdateProtection } from './updateProtection.ts'

/** The public CKKS roles of plaintext-model mode, each built by the composition root. */
export interface CkksRoles {
  readonly preset: string
  /** Node id of the key holder, the only party with the secret key (openCkksKeyHolder). */
  readonly keyHolder: string
  /** Public material only: what every data owner encrypts with. */
  readonly owner: HeEvaluator
  /** Public material only: the service provider adds ciphertexts it cannot read. */
  readonly provider: HeEvaluator
  /** Frees the owner's and the provider's evaluators. */
  dispose(): void
}

/**
 * `--privacy ckks`: owners encrypt nᵢ·Δᵢ under the key holder's public key, the service
 * provider sums the ciphertexts and asks the key holder, over the transport, to decrypt
 * the sum; the key holder refuses a sum of fewer than two owners.
 */
export function createCkksProtection(roles: CkksRoles): UpdateProtection {
  return createEncryptedSumProtection({
    spec: `ckks:preset=${roles.preset}`,
    keyHolder: roles.keyHolder,
    encrypt: (weighted) => encryptUpdate(roles.owner, weighted, 1),
    sum: (payloads, length) => sumEncryptedUpdates(roles.provider, payloads, length),
    unscale: 1,
    dispose: roles.dispose,
  })
}
