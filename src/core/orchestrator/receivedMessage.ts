import { z } from 'zod'
import { messageIdSchema, participantNameSchema, runIdSchema } from './runIdentifiers.ts'

/** Largest payload a stored message may carry (a CKKS update of a large model fits). */
export const MAX_STORED_PAYLOAD_BYTES = 256 * 1024 * 1024

/**
 * A message as it is recorded on arrival: who sent what for which round, when, what the runtime
 * needs to know about it without decoding the payload, and the payload bytes needed to resume.
 * (run, round, sender, messageId) is its identity: recording it twice is a no-op.
 */
export interface ReceivedMessage {
  readonly runId: string
  readonly round: number
  /** The sender's certificate CN, never a name the message claims. */
  readonly sender: string
  readonly messageId: string
  /** The message type, e.g. `fit-reply`. */
  readonly kind: string
  readonly receivedAt: number
  /** Plain JSON the runtime wants back without decoding the payload (example counts, loss). */
  readonly metadata: Readonly<Record<string, unknown>>
  readonly payload?: Uint8Array
}

const jsonValue: z.ZodType<unknown> = z.lazy(() =>
  z.union([
    z.string(),
    z.number().refine(Number.isFinite, 'must be a finite number'),
    z.boolean(),
    z.null(),
    z.array(jsonValue),
    z.record(z.string(), jsonValue),
  ]),
)

/** Validates a message before it is stored; a failure names the field. */
export const receivedMessageSchema = z
  .object({
    runId: runIdSchema,
    round: z.number().int().min(0).max(1_000_000_000),
    sender: participantNameSchema,
    messageId: messageIdSchema,
    kind: z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, 'must be a lowercase kebab-case name'),
    receivedAt: z.number().int().min(0),
    metadata: z.record(z.string(), jsonValue),
    payload: z
      .custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected bytes (a Uint8Array)')
      .refine((v) => v.byteLength <= MAX_STORED_PAYLOAD_BYTES, 'is larger than 256 MiB')
      .optional(),
  })
  .strict()

/** A stored message read back: its identity, its metadata and its payload's SHA-256. */
export interface StoredMessage extends ReceivedMessage {
  /** Hex SHA-256 of the payload (absent without a payload), checked again on every read. */
  readonly payloadSha256?: string
}
