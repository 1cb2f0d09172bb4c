import type { Rng } from '../rng/rng.ts'
import type { RobustRule } from '../robust/robustRule.ts'
import type { FitResult, LocalTrainingConfig } from './messages.ts'
import type { ClientSampling } from './sampleClients.ts'

/** What a round asks of the selected clients. */
export interface RoundPlan {
  readonly clients: readonly string[]
  readonly mode: 'params' | 'gradient'
  readonly training: LocalTrainingConfig
  /** SCAFFOLD: the server control variate every selected client gets with the instruction. */
  readonly control?: Float64Array
}

/** The new global parameters and what the aggregation rule decided about each client. */
export interface AggregateOutcome {
  readonly params: Float64Array
  /** Clients whose update the rule left out entirely (Krum family, Bulyan). */
  readonly excluded: readonly string[]
  /** Per-component rules (MS-FL): for each client, the share of components it was selected on. */
  readonly selectionShare?: Readonly<Record<string, number>>
  /** With a robust rule: how many updates it combined and how many of them it assumed Byzantine. */
  readonly robustness?: { readonly n: number; readonly f: number }
}

/**
 * A server strategy plans rounds and reduces replies, and nothing else: no I/O, no
 * clock, randomness only through the Rng it is given. The runtime drives it.
 *
 * Example: implementing a strategy (`examples/library/customStrategy.ts`, compiled and run by
 * the package test):
 *
 * {@includeCode ../../../examples/library/customStrategy.ts}
 */
export interface Strategy {
  readonly name: string
  /** Plans a round: which of the available clients train, in which mode, with which settings. */
  configureRound(round: number, available: readonly string[], rng: Rng): RoundPlan
  /** New global parameters from the accepted replies of one round. */
  aggregate(round: number, params: Float64Array, results: readonly FitResult[]): AggregateOutcome
}

/**
 * Settings of the built-in strategies: client sampling, local training and an optional robust
 * aggregation rule.
 */
export interface StrategyParameters {
  readonly sampling: ClientSampling
  readonly training: LocalTrainingConfig
  /** How updates are combined; plain FedAvg weighting when absent. */
  readonly aggregation?: {
    readonly rule: RobustRule
    /**
     * How many of the n updates a round combines the rule assumes Byzantine: a declared
     * count (`() => 2`), or floor(tolerate · n) for a declared share, so a round whose
     * updates were screened keeps the same share on what remains.
     */
    readonly assumedF: (n: number) => number
    /**
     * The aggregator's own update from the global parameters, on clean data it holds (FLTrust's
     * server update); given when the rule needs one (rule.needsReference).
     */
    readonly reference?: (params: Float64Array) => Float64Array
  }
}
