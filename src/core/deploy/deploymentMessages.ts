import { z } from 'zod'
import { keyHolderPublicSchema } from '../privacy/keyHolderMessages.ts'
import { messageSchema } from '../wire/messageSchema.ts'

/**
 * Messages a deployed federation needs besides the protocols' own: the service provider
 * learns how many rows each owner holds (FedAvg's weights reveal it anyway, and the
 * scaling agreement's quantisation range depends on the largest), delivers the trained
 * model to the requestor, and tells every participant the run is over so their
 * processes can exit.
 *
 *   from      to           message          reply
 *   provider  data owner   describe-data    data-description (rows)
 *   provider  data owner   protection-terms protection-terms-accepted
 *   provider  data owner   privacy-spent-request  privacy-spent (sample-level DP)
 *   provider  requestor    deliver-model    model-received
 *   provider  anyone       run-ended        run-ended-ack
 *
 * Plain values for the wire codec; each side parses what arrives with these schemas.
 */

const runId = z.string().min(1).max(200)
const participant = z.string().min(1).max(200)

export const describeDataSchema = messageSchema('describe-data', { runId })
/** The provider's question to an owner: how many training rows it holds. */
export type DescribeData = z.infer<typeof describeDataSchema>

export const dataDescriptionSchema = messageSchema('data-description', {
  runId,
  clientId: participant,
  rows: z.number().int().min(1).max(1_000_000_000),
})
/** An owner's row count. */
export type DataDescription = z.infer<typeof dataDescriptionSchema>

export const protectionTermsSchema = messageSchema('protection-terms', {
  runId,
  /**
   * The largest owner's row count, from the owners' descriptions: each protected update is
   * (nᵢ / referenceExamples)·Δᵢ, so every owner must scale by the same public number.
   */
  referenceExamples: z.number().int().min(1).max(1_000_000_000),
  /** ckks, paillier: the key holder's signed public key, which each owner checks itself. */
  keyHolder: keyHolderPublicSchema.optional(),
})
/** What a protected job's owners must agree on before the first round (`privacy: secagg|ckks|paillier`). */
export type ProtectionTerms = z.infer<typeof protectionTermsSchema>

export const protectionTermsAcceptedSchema = messageSchema('protection-terms-accepted', {
  runId,
  clientId: participant,
})

export const deliverModelSchema = messageSchema('deliver-model', {
  runId,
  /** The model spec string of the job (`logistic`, `mlp:64`, …). */
  model: z.string().min(1).max(200),
  params: z.custom<Float64Array>((v) => v instanceof Float64Array, 'expected a Float64Array'),
  rounds: z.number().int().min(0).max(1_000_000),
  /** Test accuracy of the delivered parameters, as the provider measured it. */
  accuracy: z.number().min(0).max(1).optional(),
  /**
   * `privacy: dp…`: the (ε, δ) the run spent, as the provider reports it (at sample level the
   * largest the owners' own accountants reported).
   */
  privacy: z
    .object({ epsilon: z.number().min(0).finite(), delta: z.number().min(0).lt(1) })
    .strict()
    .optional(),
})
/** The provider's delivery of the final model to the requestor. */
export type DeliverModel = z.infer<typeof deliverModelSchema>

export const modelReceivedSchema = messageSchema('model-received', {
  runId,
  clientId: participant,
  /** Hex SHA-256 of the received parameters' float64 little-endian bytes. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
})
/** The requestor's receipt, naming the digest of what it stored. */
export type ModelReceived = z.infer<typeof modelReceivedSchema>

export const runEndedSchema = messageSchema('run-ended', {
  runId,
  outcome: z.enum(['completed', 'failed']),
  message: z.string().max(2000),
})
/** The end of the run, for every participant. */
export type RunEnded = z.infer<typeof runEndedSchema>

export const runEndedAckSchema = messageSchema('run-ended-ack', { runId, clientId: participant })

export const privacySpentRequestSchema = messageSchema('privacy-spent-request', { runId })
/** The provider's question to a sample-level DP owner, after the rounds: what it spent. */
export type PrivacySpentRequest = z.infer<typeof privacySpentRequestSchema>

export const privacySpentSchema = messageSchema('privacy-spent', {
  runId,
  clientId: participant,
  /** The owner's ε over every round it trained in, from its own accountant. */
  epsilon: z.number().min(0).finite(),
  delta: z.number().gt(0).lt(1),
  /** ε after each round it trained in, oldest first. */
  rounds: z
    .array(z.object({ round: z.number().int().min(1), epsilon: z.number().min(0).finite() }))
    .max(1_000_000),
})
/**
 * A sample-level DP owner's (ε, δ) as its own accountant counts them (DP-SGD over its rows,
 * plus its noisy feature statistics): the provider reports these, it computes none.
 */
export type PrivacySpent = z.infer<typeof privacySpentSchema>

/** Every request of the deployment layer, as `ProtocolMessage` lists them. */
export type DeploymentMessage =
  | DescribeData
  | ProtectionTerms
  | DeliverModel
  | RunEnded
  | PrivacySpentRequest
