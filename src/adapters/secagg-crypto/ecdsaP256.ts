import { type KeyObject, sign, verify } from 'node:crypto'
import type { SecaggVerifier } from '../../core/ports/secaggIdentity.ts'

/**
 * ECDSA P-256 over SHA-256 in IEEE P1363 form (r ‖ s, 64 bytes), the signature of every
 * SecAgg statement — the algorithm of the participants' certificate keys.
 */
export function signP256(key: KeyObject, message: Uint8Array): Uint8Array {
  return new Uint8Array(sign('sha256', message, { key, dsaEncoding: 'ieee-p1363' }))
}

/** A verifier for signatures by `publicKey` (a malformed signature is simply invalid). */
export function p256Verifier(publicKey: KeyObject): SecaggVerifier {
  return {
    verify(message, signature) {
      try {
        return verify('sha256', message, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature)
      } catch {
        return false
      }
    },
  }
}
