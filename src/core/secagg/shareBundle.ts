import { MsflError } from '../errors/msflError.ts'
import { FIELD_ELEMENT_BYTES, fieldFromBytes, fieldToBytes } from './primeField.ts'

/**
 * What client u sends client v (through the server) in the share-keys stage: v's share
 * of u's mask secret key s_u^SK and v's share of u's self-mask seed b_u, encrypted
 * under a key only u and v can derive. The associated data names the round, sender and
 * recipient, so the server can neither redirect a bundle to another client nor replay
 * it in another round: the recipient's authentication check fails.
 */
export const SHARE_BUNDLE_BYTES = 2 * FIELD_ELEMENT_BYTES
/** Nonce, bundle and tag of AES-256-GCM. */
export const SEALED_BUNDLE_BYTES = 12 + SHARE_BUNDLE_BYTES + 16

export interface ShareBundle {
  readonly secretKeyShare: bigint
  readonly selfMaskShare: bigint
}

const textEncoder = new TextEncoder()

/** HKDF info of the key that encrypts share bundles between two clients. */
export function shareKeyInfo(session: string): string {
  return JSON.stringify(['msfl-secagg/v1/share-key', session])
}

export function shareAssociatedData(session: string, from: string, to: string): Uint8Array {
  return textEncoder.encode(JSON.stringify(['msfl-secagg/v1/share-bundle', session, from, to]))
}

export function encodeShareBundle(bundle: ShareBundle): Uint8Array {
  const out = new Uint8Array(SHARE_BUNDLE_BYTES)
  out.set(fieldToBytes(bundle.secretKeyShare))
  out.set(fieldToBytes(bundle.selfMaskShare), FIELD_ELEMENT_BYTES)
  return out
}

export function decodeShareBundle(bytes: Uint8Array, from: string): ShareBundle {
  if (bytes.length !== SHARE_BUNDLE_BYTES)
    throw new MsflError(
      'PROTOCOL',
      `share bundle from ${JSON.stringify(from)} has ${bytes.length} bytes, expected ${SHARE_BUNDLE_BYTES}`,
    )
  return {
    secretKeyShare: fieldFromBytes(
      bytes.subarray(0, FIELD_ELEMENT_BYTES),
      `secret-key share from ${JSON.stringify(from)}`,
    ),
    selfMaskShare: fieldFromBytes(
      bytes.subarray(FIELD_ELEMENT_BYTES),
      `self-mask share from ${JSON.stringify(from)}`,
    ),
  }
}
