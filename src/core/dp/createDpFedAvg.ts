import { MsflError } from '../errors/msflError.ts'
import type { LocalTrainingConfig } from '../fl/messages.ts'
import type { Strategy } from '../fl/strategy.ts'
import type { Rng } from '../rng/rng.ts'
import type { ClientLevelDp } from './clientLevelDp.ts'
import { clipToNorm } from './clipToNorm.ts'

export interface DpFedAvgParameters {
  readonly training: LocalTrainingConfig
  readonly clientDp: ClientLevelDp
  /** The server's Rng for central noise (a CSPRNG unless the DP options say simulation). */
  readonly noiseRng: Rng
}

/**
 * FedAvg with client-level DP on the plain engine (a server that receives individual
 * updates). Rounds Poisson-sample clients with the `Rng` the runtime passes to
 * configureRound, so it must satisfy the same CSPRNG rule as the noise. With central
 * noise the server clips every Δᵢ to S itself (it does not trust clients to); with
 * distributed noise the clients already clipped and noised their updates
 * (wrapClientLevelDp) and the server only sums them; a round with fewer than t of them
 * is dropped (model unchanged, its clients reported as excluded). See ClientLevelDp for the
 * estimator and the accounting. A round that sampled nobody still moves the model by
 * the noise alone, so the runtime must call aggregate with no results rather than fail.
 */
export function createDpFedAvg(parameters: DpFedAvgParameters): Strategy {
  const { training, clientDp, noiseRng } = parameters
  return {
    name: `dp-fedavg(${clientDp.options.noise})`,
    configureRound(_round, available, rng) {
      if (clientDp.wouldExceedBudget())
        throw new MsflError(
          'CONFIG_INVALID',
          `client-level DP: the next round would exceed ε = ${clientDp.options.epsilonBudget} (spent ${clientDp.spent().epsilon.toFixed(3)})`,
        )
      return { clients: clientDp.sampleClients(available, rng), mode: 'params', training }
    },
    aggregate(round, params, results) {
      const { noise, minContributors } = clientDp.options
      if (noise === 'distributed' && results.length < (minContributors ?? 1))
        // Too few noise shares to release their sum: drop the round, the model stays put.
        return { params: Float64Array.from(params), excluded: results.map((r) => r.clientId) }
      const sum = new Float64Array(params.length)
      for (const r of results) {
        if (r.kind !== 'params')
          throw new MsflError('PROTOCOL', `DP-FedAvg expected parameters from ${r.clientId}`)
        const delta = new Float64Array(params.length)
        for (let j = 0; j < params.length; j++) delta[j] = r.vector[j]! - params[j]!
        if (noise === 'central') clipToNorm(delta, clientDp.options.clipNorm)
        for (let j = 0; j < params.length; j++) sum[j]! += delta[j]!
      }
      const update = clientDp.finishRound(round, sum, results.length, noiseRng)
      const next = new Float64Array(params.length)
      for (let j = 0; j < params.length; j++) next[j] = params[j]! + update[j]!
      return { params: next, excluded: [] }
    },
  }
}
