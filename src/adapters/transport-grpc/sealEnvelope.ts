import { type KeyObject, randomBytes } from 'node:crypto'
import { type EnvelopeKind, encodeEnvelope } from './envelope.ts'
import { signEnvelope } from './envelopeSignature.ts'

/** What the sender puts in one envelope; the rest (sender, run, time, signature) is sealEnvelope's. */
export interface OutgoingEnvelope {
  readonly kind: EnvelopeKind
  /** The request's id for a reply or error; omitted for a request or hello (a fresh one is drawn). */
  readonly id?: string
  readonly round: number
  /** Wire-codec bytes of the body. */
  readonly payload: Uint8Array
}

/** The sender's side of every envelope: who it is, its run, its key and its clock. */
export interface EnvelopeSender {
  readonly name: string
  readonly run: string
  readonly key: KeyObject
  readonly now: () => number
}

/** A fresh envelope id: 16 bytes from the CSPRNG as 32 lowercase hex digits. */
export function newEnvelopeId(): string {
  return randomBytes(16).toString('hex')
}

/** Signs and encodes one envelope for the stream (see envelope.ts for its layout). */
export function sealEnvelope(sender: EnvelopeSender, outgoing: OutgoingEnvelope): Uint8Array {
  return encodeEnvelope(
    signEnvelope(
      {
        kind: outgoing.kind,
        id: outgoing.id ?? newEnvelopeId(),
        run: sender.run,
        round: outgoing.round,
        sender: sender.name,
        timestamp: Math.floor(sender.now()),
        payload: outgoing.payload,
      },
      sender.key,
    ),
  )
}

/** The round an envelope names for a payload: its positive integer `round` field, else 0. */
export function roundOf(message: unknown): number {
  const round = (message as { round?: unknown } | null)?.round
  return typeof round === 'number' && Number.isSafeInteger(round) && round > 0 ? round : 0
}

/**
 * A freshly sealed envelope as the Buffer grpc-js writes, sharing its memory: the bytes are
 * never touched again, so copying them (as `Buffer.from(bytes)` does) would only cost time.
 */
export function asBuffer(sealed: Uint8Array): Buffer {
  return Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength)
}
