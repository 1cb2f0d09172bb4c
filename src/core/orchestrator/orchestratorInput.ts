/**
 * What can happen to a run, as data: the runtime turns network messages, its clock and
 * aggregation results into these (times are inputs, never read inside the core).
 */
export type OrchestratorInput =
  /** An owner registered or reconnected (its name is its certificate's CN). */
  | { readonly type: 'register'; readonly name: string; readonly at: number }
  /** An owner's connection dropped. */
  | { readonly type: 'disconnect'; readonly name: string; readonly at: number }
  /**
   * Open the current round; the seed draws which connected owners it asks, unless `drawn`
   * names them: a deployed job draws them with its strategy's sampling stream, so a round asks
   * the owners the same job asks in simulation (registered owners, as many as the policy asks
   * of all registered; one that is not connected now misses the round).
   */
  | {
      readonly type: 'open-round'
      readonly at: number
      readonly selectionSeed: number
      readonly drawn?: readonly string[]
    }
  /** An owner's update for `round` arrived (its bytes are recorded with the transition). */
  | {
      readonly type: 'update'
      readonly round: number
      readonly sender: string
      readonly messageId: string
      readonly at: number
    }
  /** The runtime's timer for the open round's stored deadline fired. */
  | { readonly type: 'deadline'; readonly at: number }
  /** The open round's updates were combined into the model with this hash. */
  | { readonly type: 'aggregated'; readonly at: number; readonly modelSha256: string }
  /**
   * The open round (TRAINING or AGGREGATING) starts again from its request, e.g. after a
   * restart when what it held in memory (MS-FL masks) is gone: back between rounds, at the
   * same round, its accepted updates set aside (the next opening is a new attempt).
   */
  | { readonly type: 'restart-round'; readonly at: number; readonly reason: string }
  /**
   * The open round (TRAINING or AGGREGATING) is given up for good, e.g. after a restart of a
   * protected run: its number is spent and it closes with the model it started from (this
   * hash), so it never runs twice (a second release of the same round over other owners
   * would reveal the difference).
   */
  | {
      readonly type: 'skip-round'
      readonly at: number
      readonly reason: string
      readonly modelSha256: string
    }
  /** Stop the run for good (aggregation failed, the operator aborted). */
  | { readonly type: 'abort'; readonly at: number; readonly reason: string }

/** The type tag of every orchestrator input. */
export type OrchestratorInputType = OrchestratorInput['type']
