import { z } from 'zod'

/**
 * Messages between the server and the key holder of `--privacy ckks|paillier`. The key
 * holder is a participant of its own, reached over the transport like a data owner: the
 * server holds public material only and its one path to a plaintext is this exchange.
 *
 *   from     to           message              what
 *   server   key holder   key-holder-decrypt   the round's summed ciphertext(s), the value
 *                                              count and how many owners' updates it sums
 *   key holder → server:  key-holder-sum       the decrypted sum, nothing else
 *                         error                refused (too few contributors, a replayed
 *                                              round, bytes that do not decrypt)
 *
 * In a deployment the key holder is its own process, and the server first asks it for its
 * public key (`key-holder-public-request`); the reply (`key-holder-public`) carries the
 * key material signed with the key holder's certificate key and the certificate, so the
 * owners the server forwards it to can check it came from the key holder and not from
 * the server, which could otherwise hand them a key of its own.
 *
 * Every message is a plain value the wire codec carries; both sides parse what arrives
 * with these schemas before looking at it.
 */

/** The node id the key holder answers under, unless the composition root picks another. */
export const KEY_HOLDER_ID = 'key-holder'

/** The largest model a sum may carry (values per update). */
export const MAX_SUM_LENGTH = 2 ** 24

const round = z.number().int().min(1).max(1_000_000)
const bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected bytes')

/** Server → key holder (a deployment): the key material owners encrypt under. */
export const keyHolderPublicRequestSchema = z
  .object({ type: z.literal('key-holder-public-request'), runId: z.string().min(1).max(200) })
  .strict()
export type KeyHolderPublicRequest = z.infer<typeof keyHolderPublicRequestSchema>

/** The schemes whose key holder is a participant of its own. */
export const KEY_HOLDER_SCHEMES = ['ckks', 'paillier'] as const

/** Key holder → server → owners: its public key material, signed by its certificate key. */
export const keyHolderPublicSchema = z
  .object({
    type: z.literal('key-holder-public'),
    runId: z.string().min(1).max(200),
    scheme: z.enum(KEY_HOLDER_SCHEMES),
    /** The scheme's public material (CKKS: context, public and relinearisation keys; Paillier: n). */
    material: bytes.refine(
      (b) => b.length > 0 && b.length <= 64 * 1024 * 1024,
      'expected 1 B..64 MiB',
    ),
    /** The key holder's certificate (DER). */
    credential: bytes.refine((b) => b.length > 0 && b.length <= 16_384, 'expected 1 B..16 KiB'),
    /** ECDSA P-256 over keyHolderStatement(runId, scheme, material). */
    signature: bytes.refine((b) => b.length === 64, 'expected 64 bytes (P1363)'),
  })
  .strict()
/** The key holder's signed public material. */
export type KeyHolderPublic = z.infer<typeof keyHolderPublicSchema>

/**
 * The bytes the key holder signs: a fixed label, the run, the scheme and the material, so a
 * signature for one run or scheme is worthless for another.
 */
export function keyHolderStatement(
  runId: string,
  scheme: KeyHolderPublic['scheme'],
  material: Uint8Array,
): Uint8Array {
  const head = new TextEncoder().encode(`msfl key-holder public material v1\0${runId}\0${scheme}\0`)
  const statement = new Uint8Array(head.length + material.length)
  statement.set(head)
  statement.set(material, head.length)
  return statement
}

/** Server → key holder: decrypt this round's sum. */
export const decryptSumRequestSchema = z
  .object({
    type: z.literal('key-holder-decrypt'),
    round,
    /** Values in the sum: the model's parameter count. */
    length: z.number().int().min(1).max(MAX_SUM_LENGTH),
    /** How many owners' updates the server says the sum holds. */
    contributors: z.number().int().min(0).max(1_000_000),
    /** The summed ciphertext(s), as the scheme serialises them. */
    sum: z.array(bytes).min(1).max(65_536),
  })
  .strict()
/** What the server sends the key holder: the round's sum to decrypt (or, deployed, its public key). */
export type KeyHolderRequest = z.infer<typeof decryptSumRequestSchema> | KeyHolderPublicRequest

/** Key holder → server: the round's sum in the clear. */
export const decryptedSumSchema = z
  .object({
    type: z.literal('key-holder-sum'),
    round,
    values: z.custom<Float64Array>((v) => v instanceof Float64Array, 'expected a Float64Array'),
  })
  .strict()
export type DecryptedSum = z.infer<typeof decryptedSumSchema>

/** Key holder → server: the request is refused, and why. */
export const keyHolderErrorSchema = z
  .object({ type: z.literal('error'), message: z.string().max(2000) })
  .strict()

/** Every reply the key holder gives. */
export const keyHolderReplySchema = z.discriminatedUnion('type', [
  decryptedSumSchema,
  keyHolderErrorSchema,
])
