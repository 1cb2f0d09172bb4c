import { z } from 'zod'
import { messageSchema } from '../wire/messageSchema.ts'

/**
 * Messages of secure aggregation (Bonawitz et al., CCS 2017, honest-but-curious
 * variant; with a neighbourhood graph, SecAgg+). Every message is a plain value the wire
 * codec carries; both sides parse what arrives with these schemas before looking at it.
 *
 *   stage            server → client                  client → server
 *   advertise-keys   secagg-setup (parameters)        secagg-keys (two X25519 public keys)
 *   share-keys       secagg-roster (peers' keys)      secagg-shares (encrypted shares, one per peer)
 *   masked-input     secagg-masked-input-request      secagg-masked-input (y_u in Z_2^32)
 *                    (the shares addressed to it)
 *   unmasking        secagg-unmask-request            secagg-unmask (self-mask shares of survivors,
 *                    (who survived)                   secret-key shares of the dropped)
 *
 * Masked inputs travel as Int32Array (the codec has no Uint32Array; the bits are the
 * same). Either side may answer with { type: 'error' }; the server ends a round early
 * with secagg-abort so clients drop their secrets.
 */
export const SECAGG_STAGES = ['advertise-keys', 'share-keys', 'masked-input', 'unmasking'] as const
export type SecaggStage = (typeof SECAGG_STAGES)[number]

const bytes = (length?: number) =>
  z.custom<Uint8Array>(
    (v) => v instanceof Uint8Array && (length === undefined || v.length === length),
    length === undefined ? 'expected bytes' : `expected ${length} bytes`,
  )
const clientId = z.string().min(1).max(200)
const session = z.string().min(1).max(200)
const index = z.number().int().min(1).max(1_000_000)
const ids = z.array(clientId).max(1_000_000)

export const setupSchema = messageSchema('secagg-setup', {
  session,
  /** The recipient's index, its Shamir x-coordinate. */
  index,
  clients: z.number().int().min(2).max(1_000_000),
  threshold: z.number().int().min(2),
  dimension: z.number().int().min(1),
  clip: z.number(),
  levels: z.number().int().min(1),
  degree: z.number().int().nullable(),
})
export type SetupMessage = z.infer<typeof setupSchema>

export const keysSchema = messageSchema('secagg-keys', {
  session,
  clientId,
  /** c_u^PK: agreement key for the encrypted shares. */
  encryptionKey: bytes(32),
  /** s_u^PK: agreement key for the pairwise masks. */
  maskKey: bytes(32),
})
export type KeysMessage = z.infer<typeof keysSchema>

export const peerSchema = z
  .object({ clientId, index, encryptionKey: bytes(32), maskKey: bytes(32) })
  .strict()
export type Peer = z.infer<typeof peerSchema>

export const rosterSchema = messageSchema('secagg-roster', {
  session,
  /** The recipient's neighbourhood among the clients that advertised keys, itself included. */
  peers: z.array(peerSchema).max(1_000_000),
})
export type RosterMessage = z.infer<typeof rosterSchema>

export const sharesSchema = messageSchema('secagg-shares', {
  session,
  clientId,
  shares: z.array(z.object({ to: clientId, ciphertext: bytes() }).strict()).max(1_000_000),
})
export type SharesMessage = z.infer<typeof sharesSchema>

export const maskedInputRequestSchema = messageSchema('secagg-masked-input-request', {
  session,
  shares: z.array(z.object({ from: clientId, ciphertext: bytes() }).strict()).max(1_000_000),
})
export type MaskedInputRequest = z.infer<typeof maskedInputRequestSchema>

export const maskedInputSchema = messageSchema('secagg-masked-input', {
  session,
  clientId,
  masked: z.custom<Int32Array>((v) => v instanceof Int32Array, 'expected an Int32Array'),
})
export type MaskedInputMessage = z.infer<typeof maskedInputSchema>

export const unmaskRequestSchema = messageSchema('secagg-unmask-request', {
  session,
  /** The recipient's neighbours (and itself) whose masked inputs the server holds. */
  survivors: ids,
})
export type UnmaskRequest = z.infer<typeof unmaskRequestSchema>

const heldShare = z.object({ of: clientId, share: bytes(33) }).strict()
export const unmaskSchema = messageSchema('secagg-unmask', {
  session,
  clientId,
  /** Shares of b_v for every survivor v: the server removes their self-masks. */
  selfMaskShares: z.array(heldShare).max(1_000_000),
  /** Shares of s_v^SK for every dropped v: the server removes their pairwise masks. */
  secretKeyShares: z.array(heldShare).max(1_000_000),
})
export type UnmaskMessage = z.infer<typeof unmaskSchema>

export const abortSchema = messageSchema('secagg-abort', { session, reason: z.string().max(2000) })
export type AbortMessage = z.infer<typeof abortSchema>

export const abortedSchema = messageSchema('secagg-aborted', { session, clientId })

export const clientInboxSchema = z.discriminatedUnion('type', [
  setupSchema,
  rosterSchema,
  maskedInputRequestSchema,
  unmaskRequestSchema,
  abortSchema,
])
/** What the SecAgg server sends a client, at any stage. */
export type ClientInboxMessage = z.infer<typeof clientInboxSchema>
