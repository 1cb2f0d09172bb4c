import { MsflError } from '../../core/errors/msflError.ts'
import type { HeDecryptor, HeEvaluator } from '../../core/ports/he.ts'
import type { PaillierPublic, PaillierSecret } from '../../core/ports/paillier.ts'
import { decryptUpdateSum } from '../../core/privacy/ckksUpdates.ts'
import { createKeyHolder } from '../../core/privacy/createKeyHolder.ts'
import type { ProtectionParticipant } from './updateProtection.ts'

/** Where the key holder answers and what it releases. */
export interface KeyHolderLimits {
  /** Its node id on the transport. */
  readonly id: string
  /** The fewest owners' updates a decrypted sum must hold (at least 2). */
  readonly minContributors: number
  /** The job's rounds: one decryption each, none later. */
  readonly rounds: number
}

/**
 * The CKKS key holder as a participant: its secret key decrypts only what arrives as a
 * `key-holder-decrypt` request and passes the guards of createKeyHolder.
 */
export function openCkksKeyHolder(
  keys: { readonly evaluator: HeEvaluator; readonly decryptor: HeDecryptor; dispose(): void },
  limits: KeyHolderLimits,
): ProtectionParticipant {
  return keyHolderParticipant(
    limits,
    (sum, length) => ({ values: decryptUpdateSum(keys.evaluator, keys.decryptor, sum, length) }),
    async () => keys.dispose(),
  )
}

/**
 * The Paillier key holder as a participant: it loads the summed ciphertext with its
 * public key (validating the server's bytes), decrypts it, and releases the values only
 * when the plaintext's own update counter matches the claimed contributors.
 */
export function openPaillierKeyHolder(
  keys: { readonly public: PaillierPublic; readonly secret: PaillierSecret },
  limits: KeyHolderLimits,
): ProtectionParticipant {
  return keyHolderParticipant(
    limits,
    (sum, length) => {
      if (sum.length !== 1)
        throw new MsflError('PROTOCOL', `${sum.length} ciphertexts, expected 1 packed sum`)
      return keys.secret.decryptPacked(keys.public.load(sum[0]!, length))
    },
    // The key pair is plain bigints: nothing outside the garbage collector to free.
    async () => {},
  )
}

/** A key holder on the transport: its id, its guarded handler, and how its keys are freed. */
function keyHolderParticipant(
  limits: KeyHolderLimits,
  decrypt: Parameters<typeof createKeyHolder>[0]['decrypt'],
  dispose: () => Promise<void>,
): ProtectionParticipant {
  return { id: limits.id, handler: createKeyHolder({ ...limits, decrypt }), dispose }
}
