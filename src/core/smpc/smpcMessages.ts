import { z } from 'zod'
import { MsflError } from '../errors/msflError.ts'
import { messageSchema } from '../wire/messageSchema.ts'
import { MAX_INPUT_DIM, MAX_MODELS, MAX_SAMPLES } from './verificationPlan.ts'

/**
 * Messages of SMPC model verification. Every one is a plain value the wire codec
 * carries (ring shares travel as Int32Array views of the 32-bit limbs) and every
 * receiver parses what arrives with these schemas before looking at it.
 *
 *   from          to        message            when
 *   coordinator   node      smpc-setup         public parameters of the session
 *   coordinator   dealer    smpc-deal          the public shape; the dealer then pushes
 *   dealer        node      smpc-material      that node's share of the correlated randomness
 *   model owner   node      smpc-model-share   that node's share of the encoded parameters
 *   data owner    node      smpc-data-share    (secret validation data only) its shares
 *   coordinator   node      smpc-advance       run protocol step s; the node pushes
 *   node          node      smpc-open          its share of opening s to every peer
 * Replies: smpc-ack, smpc-progress (step done) and smpc-result (the node's outcome).
 * A node that reaches its peers only through the service provider (a deployment, where
 * only the provider listens) answers with smpc-relay instead: its reply plus the
 * smpc-open pushes the provider must deliver before it (runtime/smpc/relayVerifierPushes.ts).
 */

const id = z.string().min(1).max(200)
const session = z.string().min(1).max(200)
const int32s = z.custom<Int32Array>((v) => v instanceof Int32Array, 'expected an Int32Array')
const float32s = z.custom<Float32Array>((v) => v instanceof Float32Array, 'expected a Float32Array')
const float64s = z.custom<Float64Array>((v) => v instanceof Float64Array, 'expected a Float64Array')
const positive = (max: number) => z.number().int().min(1).max(max)
const step = z.number().int().min(0).max(10_000)
/** Every verifier in party order; party 0 adds public constants. */
const nodes = z.array(id).min(2).max(16)

export const OPENING_PHASES = [
  'beaver-inputs',
  'beaver-labels',
  'mask',
  'borrow',
  'block-and',
  'dabit',
  'count',
  'aggregate',
] as const

const modelSchema = z
  .object({
    kind: z.enum(['softmax', 'logistic']),
    inputDim: positive(MAX_INPUT_DIM),
    outputDim: positive(1000),
  })
  .strict()

export const setupSchema = messageSchema('smpc-setup', {
  session,
  nodes,
  nodeIndex: z.number().int().min(0).max(15),
  model: modelSchema,
  fractionBits: z.number().int().min(4).max(24),
  threshold: z.number().min(0).max(1),
  /** Models more than this below the median opened accuracy are excluded too. */
  drop: z.number().min(0).max(1),
  models: z
    .array(z.object({ clientId: id, numExamples: positive(2 ** 40) }).strict())
    .min(1)
    .max(MAX_MODELS),
  validation: z.discriminatedUnion('mode', [
    z
      .object({
        mode: z.literal('public'),
        samples: positive(MAX_SAMPLES),
        x: float32s,
        y: float64s,
      })
      .strict(),
    z
      .object({
        mode: z.literal('secret'),
        samples: positive(MAX_SAMPLES),
        /** max_i Σ_j |encoded x_ij|, announced by the data owner (fixes the weight bound). */
        rowBound: z
          .number()
          .int()
          .min(0)
          .max(2 ** 53),
      })
      .strict(),
  ]),
})
export type SetupMessage = z.infer<typeof setupSchema>

/** What the dealer needs to size the correlated randomness: the model and the validation shape. */
export const shapeSchema = modelSchema.extend({
  samples: positive(MAX_SAMPLES),
  models: positive(MAX_MODELS),
  validation: z.enum(['public', 'secret']),
})

export const dealSchema = messageSchema('smpc-deal', {
  session,
  nodes,
  shape: shapeSchema,
})
export type DealMessage = z.infer<typeof dealSchema>

export const materialSchema = messageSchema('smpc-material', {
  session,
  maskRing: int32s,
  maskPlanes: int32s,
  andA: int32s,
  andB: int32s,
  andC: int32s,
  daBitWords: int32s,
  daBitRing: int32s,
  beaver: z
    .object({
      matrixA: int32s,
      matrixB: int32s,
      matrixC: int32s,
      labelA: int32s,
      labelB: int32s,
      labelC: int32s,
    })
    .strict()
    .optional(),
})
export type MaterialMessage = z.infer<typeof materialSchema>

export const modelShareSchema = messageSchema('smpc-model-share', {
  session,
  clientId: id,
  share: int32s,
})
export type ModelShareMessage = z.infer<typeof modelShareSchema>

export const dataShareSchema = messageSchema('smpc-data-share', {
  session,
  x: int32s,
  labels: int32s,
})
export type DataShareMessage = z.infer<typeof dataShareSchema>

export const advanceSchema = messageSchema('smpc-advance', { session, step })
export type AdvanceMessage = z.infer<typeof advanceSchema>

export const openSchema = messageSchema('smpc-open', {
  session,
  step,
  from: id,
  phase: z.enum(OPENING_PHASES),
  share: int32s,
})
export type OpenMessage = z.infer<typeof openSchema>

export const ackSchema = messageSchema('smpc-ack', { session })
export type AckMessage = z.infer<typeof ackSchema>

export const progressSchema = messageSchema('smpc-progress', { session, node: id, step })
export type ProgressMessage = z.infer<typeof progressSchema>

export const resultSchema = messageSchema('smpc-result', {
  session,
  node: id,
  correct: z.array(z.number().int().min(0)).max(MAX_MODELS),
  inRange: z.array(z.number().int().min(0)).max(MAX_MODELS),
  accepted: z.array(z.boolean()).max(MAX_MODELS),
  aggregate: int32s,
})
export type ResultMessage = z.infer<typeof resultSchema>

/**
 * A verifier node's reply when it cannot reach its peers itself: the smpc-open pushes the
 * service provider delivers (each to one peer, before anything else) and the node's
 * actual reply, which the provider returns once every push was acknowledged.
 */
export const relaySchema = messageSchema('smpc-relay', {
  session,
  sends: z
    .array(z.object({ to: id, message: openSchema }).strict())
    .min(1)
    .max(15),
  reply: z.union([ackSchema, progressSchema, resultSchema]),
})
export type RelayMessage = z.infer<typeof relaySchema>

/** What one SMPC participant asks another (the replies are ack, progress and result). */
export type SmpcRequest =
  | SetupMessage
  | DealMessage
  | MaterialMessage
  | ModelShareMessage
  | DataShareMessage
  | AdvanceMessage
  | OpenMessage

/** Parses `message` or throws MsflError('PROTOCOL') naming the receiver, the message and the first problem. */
export function parseSmpcMessage<T>(schema: z.ZodType<T>, message: unknown, where: string): T {
  const parsed = schema.safeParse(message)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]
  const path = issue && issue.path.length > 0 ? issue.path.join('.') : 'message'
  const type =
    typeof message === 'object' && message !== null && 'type' in message
      ? String((message as { type: unknown }).type)
      : typeof message
  throw new MsflError(
    'PROTOCOL',
    `${where}: malformed ${type} message: ${path}: ${issue?.message ?? 'invalid'}`,
  )
}
