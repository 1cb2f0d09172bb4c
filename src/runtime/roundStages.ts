import type { FitResult } from '../core/fl/messages.ts'
import type { AggregateOutcome } from '../core/fl/strategy.ts'

/** What the screen lets through to aggregation, and whom it set aside (named once, in `excluded`). */
export interface ScreenOutcome {
  /** Updates to aggregate; a screen may lower their weight (numExamples) by reputation. */
  readonly accepted: readonly FitResult[]
  /** Clients whose update was set aside this round (quarantined). */
  readonly excluded: readonly string[]
}

/**
 * Optional stages of a plaintext round, around the strategy: each is a defence or a
 * verification that the composition root switches on (ADRM, SMPC verifier nodes, the
 * model registry on the ledger). They run in this order; each reports its own events.
 */
export interface RoundStages {
  /** The clients that may be sampled this round (ADRM: the ones not blocked). */
  available?(round: number, clients: readonly string[]): readonly string[]
  /** Between collection and aggregation: inspects every update, may quarantine or reweight. */
  screen?(
    round: number,
    params: Float64Array,
    accepted: readonly FitResult[],
  ): Promise<ScreenOutcome>
  /** Replaces the strategy's aggregation (the verifier nodes aggregate verified shares). */
  aggregate?(
    round: number,
    params: Float64Array,
    accepted: readonly FitResult[],
  ): Promise<AggregateOutcome>
  /** After aggregation: the model to keep (the model manager may roll back to an earlier version). */
  review?(round: number, previous: Float64Array, next: Float64Array): Promise<Float64Array>
  /** The round's model is final (round 0: the initial model): register it, settle payouts; `accepted` went into it. */
  publish?(round: number, params: Float64Array, accepted: readonly FitResult[]): Promise<void>
}
