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
 * Every message is a plain value the wire codec carries; both sides parse what arrives
 * with these schemas before looking at it.
 */

/** The node id the key holder answers under, unless the composition root picks another. */
export const KEY_HOLDER_ID = 'key-holder'

/** The largest model a sum may carry (values per update). */
export const MAX_SUM_LENGTH = 2 ** 24

const round = z.number().int().min(1).max(1_000_000)
const bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected bytes')

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
/** What the server sends the key holder: the round's sum to decrypt. */
export type KeyHolderRequest = z.infer<typeof decryptSumRequestSchema>

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
