import {
  type DeliverModel,
  deliverModelSchema,
  type RunEnded,
} from '../../core/deploy/deploymentMessages.ts'
import { describeZodError } from '../../core/errors/describeZodError.ts'
import type { MessageHandler } from '../../core/ports/transport.ts'
import { acceptRunEnd } from './acceptRunEnd.ts'
import type { RequestorPayment } from './createRequestorPayment.ts'

/** How the requestor's process takes delivery of a deployed job's model. */
export interface RequestorParticipantParameters {
  readonly runId: string
  /** The requestor's node id: the name in its certificate. */
  readonly clientId: string
  /** How many parameters the job's model has: a delivery of any other size is refused. */
  readonly numParams: number
  /** Stores the delivered model (an adapter: a file) and returns the hex SHA-256 it stored. */
  store(model: DeliverModel): Promise<string>
  /**
   * `defence: adrm`: the requestor pays each round by reputation on the run's chain
   * (createRequestorPayment); without it, payment messages are refused.
   */
  readonly payment?: RequestorPayment
}

/** The requestor's handler, the delivered model, and the run's end. */
export interface RequestorParticipant extends MessageHandler {
  /** Settles with the first delivery that was stored. */
  readonly delivered: Promise<DeliverModel>
  readonly ended: Promise<RunEnded>
}

/**
 * The model requestor in a deployed FedAvg job: it waits for the provider's
 * `deliver-model`, checks its shape against the job (every parameter finite, as many as
 * the job's model has), stores it once and answers with the digest of what it stored.
 * With `payment` it also opens and funds each round's reputation table on the chain.
 */
export function createRequestorParticipant(
  p: RequestorParticipantParameters,
): RequestorParticipant {
  const { runId, clientId } = p
  const end = acceptRunEnd(runId, clientId)
  let settle: (model: DeliverModel) => void = () => {}
  const delivered = new Promise<DeliverModel>((resolve) => {
    settle = resolve
  })
  let stored = false
  const error = (message: string) => ({ type: 'error', clientId, message })
  return {
    delivered,
    ended: end.ended,
    async handle(message: unknown): Promise<unknown> {
      const type = (message as { type?: unknown } | null)?.type
      if (type === 'run-ended') return end.handle(message)
      const answered = p.payment?.handle(message)
      if (answered) return answered
      if (type !== 'deliver-model')
        return error(`the requestor does not answer ${JSON.stringify(type)}`)
      const parsed = deliverModelSchema.safeParse(message)
      if (!parsed.success) return error(describeZodError(parsed.error, 'deliver-model'))
      const model = parsed.data
      if (model.runId !== runId) return error(`deliver-model: not this run (${model.runId})`)
      if (model.params.length !== p.numParams)
        return error(
          `deliver-model: ${model.params.length} parameters, the job's model has ${p.numParams}`,
        )
      if (!model.params.every(Number.isFinite))
        return error('deliver-model: a parameter is not finite')
      if (stored) return error('deliver-model: the model was already delivered')
      stored = true
      const sha256 = await p.store(model)
      settle(model)
      return { type: 'model-received', runId, clientId, sha256 }
    },
  }
}
