import { z } from 'zod'
import { messageSchema } from '../wire/messageSchema.ts'

/**
 * Messages of secure aggregation (Bonawitz et al., CCS 2017, with the active-server
 * parts of its §6; with a neighbourhood graph, SecAgg+). Every message is a plain value
 * the wire codec carries; both sides parse what arrives with these schemas before looking
 * at it.
 *
 *   stage              server → client                  client → server
 *   advertise-keys     secagg-setup (parameters)        secagg-keys (two X25519 public keys,
 *                                                       signed under the owner's credential)
 *   share-keys         secagg-roster (every signed      secagg-shares (encrypted shares, one
 *                      advertisement)                   per neighbour)
 *   masked-input       secagg-masked-input-request      secagg-masked-input (y_u in Z_2^32)
 *                      (the shares addressed to it)
 *   consistency-check  secagg-consistency-request       secagg-consistency (its signature
 *                      (the survivor set U3)            over the session, roster and U3)
 *   unmasking          secagg-unmask-request (its       secagg-unmask (self-mask shares of
 *                      neighbours in U3, their          survivors, secret-key shares of the
 *                      signatures over U3)              dropped)
 *
 * Masked inputs travel as Int32Array (the codec has no Uint32Array; the bits are the
 * same). Either side may answer with { type: 'error' }; the server ends a round early
 * with secagg-abort so clients drop their secrets.
 */
export const SECAGG_STAGES = [
  'advertise-keys',
  'share-keys',
  'masked-input',
  'consistency-check',
  'unmasking',
] as const
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
/** A certificate (DER) in a deployment, a public key in simulation. */
const credential = z.custom<Uint8Array>(
  (v) => v instanceof Uint8Array && v.length >= 1 && v.length <= 16_384,
  'expected a credential of 1 to 16384 bytes',
)
const signature = z.custom<Uint8Array>(
  (v) => v instanceof Uint8Array && v.length >= 1 && v.length <= 512,
  'expected a signature of 1 to 512 bytes',
)

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
  /** Proves the owner's identity to its peers; the server only relays it. */
  credential,
  /** The owner's signature over advertisementStatement(session, clientId, index, keys). */
  signature,
})
export type KeysMessage = z.infer<typeof keysSchema>

export const peerSchema = z
  .object({
    clientId,
    index,
    encryptionKey: bytes(32),
    maskKey: bytes(32),
    credential,
    signature,
  })
  .strict()
export type Peer = z.infer<typeof peerSchema>

export const rosterSchema = messageSchema('secagg-roster', {
  session,
  /**
   * Every client that advertised keys (U1), itself included, in index order: each
   * recipient checks every signature and derives the neighbour graph from all of them.
   */
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

export const consistencyRequestSchema = messageSchema('secagg-consistency-request', {
  session,
  /** U3: every client whose masked input is in the server's sum, in index order. */
  survivors: ids,
})
export type ConsistencyRequest = z.infer<typeof consistencyRequestSchema>

export const consistencySchema = messageSchema('secagg-consistency', {
  session,
  clientId,
  /** The client's signature over consistencyStatement(session, graph seed, U3). */
  signature,
})
export type ConsistencyMessage = z.infer<typeof consistencySchema>

export const unmaskRequestSchema = messageSchema('secagg-unmask-request', {
  session,
  /** The recipient's neighbours (and itself) whose masked inputs the server holds. */
  survivors: ids,
  /** Its neighbours' (and its own) consistency signatures over the U3 it signed. */
  signatures: z.array(z.object({ clientId, signature }).strict()).max(1_000_000),
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
  consistencyRequestSchema,
  unmaskRequestSchema,
  abortSchema,
])
/** What the SecAgg server sends a client, at any stage. */
export type ClientInboxMessage = z.infer<typeof clientInboxSchema>
