import { z } from 'zod'

/**
 * The messages of plaintext federated training. They are plain values (see
 * wire/encodeMessage.ts) and every one that arrives is parsed with these schemas before
 * the protocol looks at it: a peer is never trusted to send the right shape.
 */

/** Schema of the local training settings a round sends to clients. */
export const localTrainingSchema = z.object({
  epochs: z.number().int().min(1).max(1000),
  batchSize: z.number().int().min(1).max(1_000_000),
  learningRate: z.number().positive().max(100),
  momentum: z.number().min(0).lt(1),
  /**
   * FedProx: μ of the proximal term μ/2·‖w − w_global‖² added to the local loss, which keeps
   * a client's model near the global one on skewed data. Absent (or 0): plain local SGD.
   */
  proximalMu: z.number().min(0).max(1000).optional(),
})
/**
 * Local training settings of a round: epochs, batch size, learning rate, momentum and FedProx's
 * optional proximal μ.
 */
export type LocalTrainingConfig = z.infer<typeof localTrainingSchema>

const vector = z.custom<Float64Array>((v) => v instanceof Float64Array, 'expected a Float64Array')

/**
 * Schema of the server's instruction to a client: train (or compute a gradient) from these
 * parameters.
 */
export const fitInstructionSchema = z.object({
  type: z.literal('fit'),
  runId: z.string().min(1).max(200),
  round: z.number().int().min(1),
  /** What the client sends back: trained parameters (FedAvg) or one gradient (FedSGD). */
  mode: z.enum(['params', 'gradient']),
  params: vector,
  training: localTrainingSchema,
  /**
   * SCAFFOLD: the server's control variate c. A client that gets it corrects every local
   * gradient by c − cᵢ (its own control variate) and answers with `controlDelta`.
   */
  control: vector.optional(),
})
/** The server's instruction to a client for one round (validated by `fitInstructionSchema`). */
export type FitInstruction = z.infer<typeof fitInstructionSchema>

/** Schema of a client's reply to a fit instruction. */
export const fitResultSchema = z.object({
  type: z.literal('fit-result'),
  round: z.number().int().min(1),
  clientId: z.string().min(1).max(200),
  kind: z.enum(['params', 'gradient']),
  vector,
  numExamples: z.number().int().min(1),
  trainLoss: z.number(),
  /** SCAFFOLD: cᵢ⁺ − cᵢ, how this round moved the client's control variate (with `control` only). */
  controlDelta: vector.optional(),
})
/**
 * A client's reply for one round: its trained parameters or gradient, example count and training
 * loss (validated by `fitResultSchema`).
 */
export type FitResult = z.infer<typeof fitResultSchema>

export const errorReplySchema = z.object({
  type: z.literal('error'),
  clientId: z.string().max(200),
  message: z.string().max(2000),
})
export type ErrorReply = z.infer<typeof errorReplySchema>

export const clientMessageSchema = z.discriminatedUnion('type', [fitResultSchema, errorReplySchema])
export type ClientMessage = z.infer<typeof clientMessageSchema>

export const serverMessageSchema = z.discriminatedUnion('type', [fitInstructionSchema])
/** What the server sends a client: a fit instruction. */
export type ServerMessage = z.infer<typeof serverMessageSchema>
