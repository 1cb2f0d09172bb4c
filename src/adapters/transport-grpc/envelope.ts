import { z } from 'zod'
import { describeZodError } from '../../core/errors/describeZodError.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import { decodeMessage } from '../../core/wire/decodeMessage.ts'
import { encodeMessage } from '../../core/wire/encodeMessage.ts'

/**
 * What an envelope carries:
 * - `request`: the service provider asks a participant; the payload is one protocol message.
 * - `reply`: the participant's answer to the request with the same `id`.
 * - `error`: the participant's handler failed; the payload is `{ code, message }`.
 * - `hello`: the first envelope each side sends on a new stream; the payload is an empty
 *   object. It proves the sender holds its certificate's key before any request flows.
 */
export type EnvelopeKind = 'request' | 'reply' | 'error' | 'hello'

/**
 * One message on the federation stream (`msfl.v1.Federation/Connect`), both directions.
 *
 * The envelope is itself a value of msfl's wire codec (core/wire/encodeMessage.ts): a plain
 * object with exactly these eight fields, encoded in this order. Its `payload` holds the
 * wire-codec bytes of the protocol message, so there is one schema for payloads, the
 * codec's. Each gRPC message of the stream is one encoded envelope, nothing else.
 *
 * The signature (envelopeSignature.ts) covers every field but itself, with the payload
 * replaced by its SHA-256, under the sender's certificate key.
 */
export interface Envelope {
  readonly kind: EnvelopeKind
  /**
   * 32 lowercase hex digits from the sender's CSPRNG, unique per envelope; a reply or
   * error repeats its request's id (its own freshness is its signature and timestamp).
   */
  readonly id: string
  /** The run (job) the stream belongs to; an envelope of another run is refused. */
  readonly run: string
  /**
   * The protocol round the payload belongs to: the message's own `round` field when it has
   * a positive integer one, else 0; a reply repeats its request's round.
   */
  readonly round: number
  /** The sender's node id: the CN of its certificate, checked against the TLS peer. */
  readonly sender: string
  /** Milliseconds since the Unix epoch on the sender's clock, when it was signed. */
  readonly timestamp: number
  /** The wire-codec bytes of the protocol message (or of the error / hello body). */
  readonly payload: Uint8Array
  /** ECDSA P-256 / SHA-256 signature, IEEE P1363 form (r ‖ s, 64 bytes). */
  readonly signature: Uint8Array
}

/** Longest run, sender or reason string an envelope may carry. */
const MAX_NAME = 200
const bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected bytes')

const envelopeSchema = z
  .object({
    kind: z.enum(['request', 'reply', 'error', 'hello']),
    id: z.string().regex(/^[0-9a-f]{32}$/, 'expected 32 lowercase hex digits'),
    run: z.string().min(1).max(MAX_NAME),
    round: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    sender: z.string().min(1).max(MAX_NAME),
    timestamp: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    payload: bytes,
    signature: z.custom<Uint8Array>(
      (v) => v instanceof Uint8Array && v.length === 64,
      'expected 64 bytes',
    ),
  })
  .strict()

/** The body of an `error` envelope: the participant's error code and message. */
export const errorBodySchema = z
  .object({ code: z.string().max(40), message: z.string().max(2000) })
  .strict()

/** Encodes an envelope for the stream; its fields are written in the documented order. */
export function encodeEnvelope(envelope: Envelope): Uint8Array {
  const { kind, id, run, round, sender, timestamp, payload, signature } = envelope
  return encodeMessage({ kind, id, run, round, sender, timestamp, payload, signature })
}

/**
 * Decodes and validates one envelope from a peer; throws MsflError('CODEC') naming the field
 * at fault. `maxBytes` bounds the envelope as a whole.
 */
export function decodeEnvelope(data: Uint8Array, maxBytes: number): Envelope {
  // The payload stays a view into the received bytes: it is hashed and decoded (which copies
  // what the message keeps) as soon as the envelope is opened, so a copy would only cost time.
  const parsed = envelopeSchema.safeParse(decodeMessage(data, { maxBytes, viewBytes: true }))
  if (!parsed.success) throw new MsflError('CODEC', describeZodError(parsed.error, 'envelope'))
  return parsed.data
}
