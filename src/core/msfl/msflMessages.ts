import { z } from 'zod'

/**
 * Messages of the MS-FL protocol. Ciphertexts travel as serialised bytes; every
 * message is parsed with these schemas, and every ciphertext is validated by the HE
 * adapter's loader before it is used (see adapters/he-seal).
 */
const ciphertexts = z
  .array(z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected bytes'))
  .min(1)
  .max(4096)
const round = z.number().int().min(1)

/** SP → MR: the model for this round, please. */
export const modelRequestSchema = z
  .object({ type: z.literal('msfl-model-request'), round })
  .strict()
/** MR → SP: [G] in block layout. */
export const encryptedModelSchema = z
  .object({ type: z.literal('msfl-encrypted-model'), round, ciphertexts })
  .strict()
/** SP → DO: compute your gradient on [G]. */
export const gradientRequestSchema = z
  .object({ type: z.literal('msfl-gradient-request'), round, ciphertexts })
  .strict()
/** DO → SP: [β_i]. */
export const encryptedGradientSchema = z
  .object({
    type: z.literal('msfl-encrypted-gradient'),
    round,
    clientId: z.string().min(1).max(200),
    ciphertexts,
  })
  .strict()
/** SP → MR: the masked gradients of the owners whose ciphertexts were valid. */
export const maskedGradientsSchema = z
  .object({
    type: z.literal('msfl-masked-gradients'),
    round,
    owners: z.array(z.string().min(1).max(200)).min(1),
    gradients: z.array(ciphertexts),
  })
  .strict()
/** MR → SP: the contribution table is open on the ledger under this id. */
export const selectionSchema = z
  .object({ type: z.literal('msfl-selection'), round, ledgerRound: z.string().min(1).max(200) })
  .strict()
/** SP → MR: the encrypted aggregate, released after settlement. */
export const aggregateSchema = z
  .object({
    type: z.literal('msfl-aggregate'),
    round,
    ledgerRound: z.string().min(1).max(200),
    ciphertexts,
  })
  .strict()
/** MR → SP: round closed (its decrypted test metrics are the MR's own business). */
export const roundClosedSchema = z.object({ type: z.literal('msfl-round-closed'), round }).strict()
export const errorSchema = z
  .object({
    type: z.literal('error'),
    clientId: z.string().max(200),
    message: z.string().max(2000),
  })
  .strict()

export const requestorInboxSchema = z.discriminatedUnion('type', [
  modelRequestSchema,
  maskedGradientsSchema,
  aggregateSchema,
])
export const ownerInboxSchema = z.discriminatedUnion('type', [gradientRequestSchema])

/** What the service provider sends the model requestor. */
export type RequestorInboxMessage = z.infer<typeof requestorInboxSchema>
/** What the service provider sends a data owner. */
export type OwnerInboxMessage = z.infer<typeof ownerInboxSchema>
export type EncryptedModel = z.infer<typeof encryptedModelSchema>
export type EncryptedGradient = z.infer<typeof encryptedGradientSchema>
export type MaskedGradients = z.infer<typeof maskedGradientsSchema>
export type Selection = z.infer<typeof selectionSchema>
export type Aggregate = z.infer<typeof aggregateSchema>
