import type { Rng } from '../rng/rng.ts'
import type { FitResult, LocalTrainingConfig } from './messages.ts'
import type { ClientSampling } from './sampleClients.ts'

/** What a round asks of the selected clients. */
export interface RoundPlan {
  readonly clients: readonly string[]
  readonly mode: 'params' | 'gradient'
  readonly training: LocalTrainingConfig
}

/**
 * A server strategy plans rounds and reduces replies, and nothing else: no I/O, no
 * clock, randomness only through the Rng it is given. The runtime drives it.
 */
export interface Strategy {
  readonly name: string
  configureRound(round: number, available: readonly string[], rng: Rng): RoundPlan
  /** New global parameters from the accepted replies of one round. */
  aggregate(round: number, params: Float64Array, results: readonly FitResult[]): Float64Array
}

export interface StrategyParameters {
  readonly sampling: ClientSampling
  readonly training: LocalTrainingConfig
}
