import type { Dataset } from '../data/dataset.ts'
import { MsflError } from '../errors/msflError.ts'
import type { Model } from '../model/model.ts'
import type { MessageHandler } from '../ports/transport.ts'
import { createSeededRng, deriveSeed } from '../rng/seededRng.ts'
import { computeGradient } from '../train/computeGradient.ts'
import { trainLocal } from '../train/trainLocal.ts'
import { createFitHandler } from './createFitHandler.ts'
import type { ClientMessage, FitInstruction } from './messages.ts'

/** A training client's id, model, private data and shuffling seed. */
export interface TrainingClientParameters {
  readonly clientId: string
  readonly model: Model
  /** The client's private data: it never leaves this handler. */
  readonly data: Dataset
  /** Seed for the client's batch shuffling (simulation reproducibility, not secrecy). */
  readonly seed: number
}

/**
 * A data owner in plaintext federated training: validates each instruction, trains
 * locally (or computes one gradient for FedSGD) and replies with a vector. Bad
 * instructions get an error reply, never an exception that would take it down.
 *
 * Under SCAFFOLD (an instruction with `control`) it keeps its own control variate cᵢ
 * across rounds, starting at zero: local steps are corrected by c − cᵢ, cᵢ becomes the
 * mean uncorrected minibatch gradient of the round (the paper's option II for plain SGD),
 * and the reply carries how far cᵢ moved.
 */
export function createTrainingClient(parameters: TrainingClientParameters): MessageHandler {
  const { clientId, model, data, seed } = parameters
  if (data.n === 0) throw new MsflError('CONFIG_INVALID', `client ${clientId} has no data`)
  let controlVariate: Float64Array = new Float64Array(model.numParams)

  const fit = (instruction: FitInstruction): ClientMessage => {
    if (instruction.params.length !== model.numParams)
      return errorReply(
        `params has ${instruction.params.length} values, the model needs ${model.numParams}`,
      )
    const rng = createSeededRng(deriveSeed(seed, 'client', clientId, instruction.round))
    const control = instruction.control
    if (control && (instruction.mode !== 'params' || control.length !== model.numParams))
      return errorReply(
        instruction.mode !== 'params'
          ? 'a control variate comes with local training (mode params), not a gradient round'
          : `control has ${control.length} values, the model needs ${model.numParams}`,
      )
    if (instruction.mode === 'gradient') {
      const { gradient, loss } = computeGradient(model, instruction.params, data)
      return {
        type: 'fit-result',
        round: instruction.round,
        clientId,
        kind: 'gradient',
        vector: gradient,
        numExamples: data.n,
        trainLoss: loss,
      }
    }
    const drift = control
      ? { correction: control.map((c, j) => c - controlVariate[j]!) }
      : undefined
    const result = trainLocal(model, instruction.params, data, instruction.training, rng, drift)
    let controlDelta: Float64Array | undefined
    if (result.meanGradient) {
      const next = result.meanGradient
      controlDelta = next.map((c, j) => c - controlVariate[j]!)
      controlVariate = next
    }
    return {
      type: 'fit-result',
      round: instruction.round,
      clientId,
      kind: 'params',
      vector: result.params,
      numExamples: data.n,
      trainLoss: result.loss,
      ...(controlDelta ? { controlDelta } : {}),
    }
  }

  const errorReply = (message: string): ClientMessage => ({ type: 'error', clientId, message })

  return createFitHandler(clientId, fit)
}
