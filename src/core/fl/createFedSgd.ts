import { MsflError } from '../errors/msflError.ts'
import { sampleClients } from './sampleClients.ts'
import type { Strategy, StrategyParameters } from './strategy.ts'
import { weightedAverage } from './weightedAverage.ts'

export interface FedSgdParameters extends StrategyParameters {
  /** Step size the server applies to the averaged gradient. */
  readonly serverLearningRate: number
}

/**
 * FedSGD: every client returns the gradient of its full local loss at the global
 * parameters; the server takes one step along their example-weighted mean. This is
 * large-batch gradient descent, and the shape the encrypted MS-FL protocol uses.
 */
export function createFedSgd(parameters: FedSgdParameters): Strategy {
  return {
    name: 'fedsgd',
    configureRound(_round, available, rng) {
      return {
        clients: sampleClients(available, parameters.sampling, rng),
        mode: 'gradient',
        training: parameters.training,
      }
    },
    aggregate(_round, params, results) {
      for (const r of results)
        if (r.kind !== 'gradient')
          throw new MsflError(
            'PROTOCOL',
            `FedSGD expected a gradient from ${r.clientId}, got ${r.kind}`,
          )
      const gradient = weightedAverage(
        results.map((r) => r.vector),
        results.map((r) => r.numExamples),
      )
      const next = new Float64Array(params.length)
      const eta = parameters.serverLearningRate
      for (let j = 0; j < params.length; j++) next[j] = params[j]! - eta * gradient[j]!
      return next
    },
  }
}
