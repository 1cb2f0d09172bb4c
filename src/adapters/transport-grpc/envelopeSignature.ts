import { createHash, type KeyObject, sign, verify } from 'node:crypto'
import { encodeMessage } from '../../core/wire/encodeMessage.ts'
import type { Envelope } from './envelope.ts'

/** Separates envelope signatures from any other use of a participant's key. */
const DOMAIN = 'msfl-envelope-v1'

/**
 * The bytes an envelope's signature covers: the wire-codec encoding of the array
 * `['msfl-envelope-v1', kind, id, run, round, sender, timestamp, SHA-256(payload)]`.
 * An array keeps the order fixed for every implementation; hashing the payload lets a
 * verifier stream large payloads.
 */
export function envelopeSigningBytes(envelope: Omit<Envelope, 'signature'>): Uint8Array {
  const digest = payloadDigest(envelope.payload)
  return encodeMessage([
    DOMAIN,
    envelope.kind,
    envelope.id,
    envelope.run,
    envelope.round,
    envelope.sender,
    envelope.timestamp,
    digest,
  ])
}

/**
 * SHA-256 of a payload, computed once per payload object: a message the provider sends to
 * several owners is encoded once (startFederationServer) and its digest is then shared by
 * every envelope that carries it. Payload bytes are never written after encoding; if they
 * were, the stale digest would make the signature fail to verify, never pass a forgery.
 */
const digests = new WeakMap<Uint8Array, Uint8Array>()
function payloadDigest(payload: Uint8Array): Uint8Array {
  let digest = digests.get(payload)
  if (!digest) {
    digest = new Uint8Array(createHash('sha256').update(payload).digest())
    digests.set(payload, digest)
  }
  return digest
}

/**
 * Signs an envelope with the sender's certificate key: ECDSA P-256 over SHA-256, in IEEE
 * P1363 form (r ‖ s, 32 bytes each) — fixed length, so the envelope schema can check it.
 */
export function signEnvelope(unsigned: Omit<Envelope, 'signature'>, key: KeyObject): Envelope {
  const signature = new Uint8Array(
    sign('sha256', envelopeSigningBytes(unsigned), { key, dsaEncoding: 'ieee-p1363' }),
  )
  return { ...unsigned, signature }
}

/** True when `envelope.signature` is the sender's signature under `publicKey`. */
export function envelopeSignatureValid(envelope: Envelope, publicKey: KeyObject): boolean {
  return verify(
    'sha256',
    envelopeSigningBytes(envelope),
    { key: publicKey, dsaEncoding: 'ieee-p1363' },
    envelope.signature,
  )
}
