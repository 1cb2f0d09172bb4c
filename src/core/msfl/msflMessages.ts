import { z } from 'zod'
import { messageSchema } from '../wire/messageSchema.ts'

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
export const modelRequestSchema = messageSchema('msfl-model-request', { round })
/** MR → SP: [G] in block layout. */
export const encryptedModelSchema = messageSchema('msfl-encrypted-model', { round, ciphertexts })
/** SP → DO: compute your gradient on [G]. */
export const gradientRequestSchema = messageSchema('msfl-gradient-request', { round, ciphertexts })
/** DO → SP: [β_i]. */
export const encryptedGradientSchema = messageSchema('msfl-encrypted-gradient', {
  round,
  clientId: z.string().min(1).max(200),
  ciphertexts,
})
/** SP → MR: the masked gradients of the owners whose ciphertexts were valid. */
export const maskedGradientsSchema = messageSchema('msfl-masked-gradients', {
  round,
  owners: z.array(z.string().min(1).max(200)).min(1),
  gradients: z.array(ciphertexts),
})
/** MR → SP: the contribution table is open on the ledger under this id. */
export const selectionSchema = messageSchema('msfl-selection', {
  round,
  ledgerRound: z.string().min(1).max(200),
})
/** SP → MR: the encrypted aggregate, released after settlement. */
export const aggregateSchema = messageSchema('msfl-aggregate', {
  round,
  ledgerRound: z.string().min(1).max(200),
  ciphertexts,
})
/**
 * MR → SP: round closed. Its test metrics are the MR's own business: in a deployment the
 * MR may report them (the SP holds no weights to evaluate), in one process it does not.
 */
export const roundClosedSchema = messageSchema('msfl-round-closed', {
  round,
  accuracy: z.number().min(0).max(1).optional(),
  loss: z.number().min(0).optional(),
})
/** The requestor's answer to the aggregate. */
export type RoundClosed = z.infer<typeof roundClosedSchema>
export const errorSchema = messageSchema('error', {
  clientId: z.string().max(200),
  message: z.string().max(2000),
})

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
