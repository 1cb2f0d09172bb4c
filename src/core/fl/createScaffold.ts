import { MsflError } from '../errors/msflError.ts'
import { aggregateChanges } from './aggregateChanges.ts'
import { sampledRoundPlanning } from './sampledRoundPlanning.ts'
import type { Strategy, StrategyParameters } from './strategy.ts'

/**
 * Settings of SCAFFOLD: sampling and local training (no robust rule: the control
 * variates would be averaged unscreened), the server learning rate and the population.
 */
export interface ScaffoldParameters extends Omit<StrategyParameters, 'aggregation'> {
  /** η_g, the server's step along the mean model change. */
  readonly serverLearningRate: number
  /** N, the number of clients in the federation: c moves by (1/N)·Σ Δcᵢ of the sampled ones. */
  readonly clients: number
  /** Length of the model's parameter vector (and of every control variate). */
  readonly numParams: number
}

/**
 * SCAFFOLD (Karimireddy, Kale, Mohri, Reddi, Stich, Suresh, "SCAFFOLD: Stochastic
 * Controlled Averaging for Federated Learning", ICML 2020, Algorithm 1). The server keeps
 * a control variate c (zero at first) and sends it with every instruction; each client
 * keeps its own cᵢ (createTrainingClient), corrects its local steps by c − cᵢ so they
 * follow the federation's gradient rather than its own data's, and answers with its model
 * and Δcᵢ. The server then sets x ← x + η_g·Δ̄ (Δ̄ the example-weighted mean model change,
 * the paper's plain mean when owners hold equal data) and c ← c + (1/N)·Σ Δcᵢ.
 */
export function createScaffold(parameters: ScaffoldParameters): Strategy {
  if (!(Number.isInteger(parameters.clients) && parameters.clients >= 1))
    throw new MsflError(
      'CONFIG_INVALID',
      `scaffold: clients must be ≥ 1; got ${parameters.clients}`,
    )
  const control = new Float64Array(parameters.numParams)
  const planning = sampledRoundPlanning('scaffold', 'params', parameters)
  return {
    name: planning.name,
    configureRound(round, available, rng) {
      const plan = planning.configureRound(round, available, rng)
      // Copied so that no client or transport can alias the server's state.
      return { ...plan, control: Float64Array.from(control) }
    },
    aggregate(_round, params, results) {
      const { aggregate } = aggregateChanges('SCAFFOLD', params, results, undefined)
      if (params.length !== control.length)
        throw new MsflError(
          'PROTOCOL',
          `SCAFFOLD has ${control.length} control values, the model has ${params.length} parameters`,
        )
      const c = control
      const scale = 1 / parameters.clients
      for (const r of results) {
        const delta = r.controlDelta
        if (!delta || delta.length !== params.length)
          throw new MsflError(
            'PROTOCOL',
            `SCAFFOLD expected a control variate change of ${params.length} values from ${r.clientId}`,
          )
        for (let j = 0; j < c.length; j++) c[j]! += scale * delta[j]!
      }
      const eta = parameters.serverLearningRate
      const next = new Float64Array(params.length)
      for (let j = 0; j < params.length; j++) next[j] = params[j]! + eta * aggregate[j]!
      return { params: next, excluded: [] }
    },
  }
}
