import { MsflError } from '../errors/msflError.ts'
import { sampleClients } from './sampleClients.ts'
import type { Strategy, StrategyParameters } from './strategy.ts'
import { weightedAverage } from './weightedAverage.ts'

/**
 * FedAvg (McMahan et al., AISTATS 2017): clients train locally and the server
 * averages their parameters weighted by their number of examples.
 */
export function createFedAvg(parameters: StrategyParameters): Strategy {
  return {
    name: 'fedavg',
    configureRound(_round, available, rng) {
      return {
        clients: sampleClients(available, parameters.sampling, rng),
        mode: 'params',
        training: parameters.training,
      }
    },
    aggregate(_round, _params, results) {
      for (const r of results)
        if (r.kind !== 'params')
          throw new MsflError(
            'PROTOCOL',
            `FedAvg expected parameters from ${r.clientId}, got a ${r.kind}`,
          )
      return weightedAverage(
        results.map((r) => r.vector),
        results.map((r) => r.numExamples),
      )
    },
  }
}
