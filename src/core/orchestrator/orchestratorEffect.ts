/**
 * What the runtime must do after a transition is durable. Effects are only acted on once the
 * store committed the transition that produced them (RunStore.transition returns them).
 */
export type OrchestratorEffect =
  /** Enough owners are connected: the current round may open. */
  | { readonly type: 'clients-ready'; readonly round: number; readonly connected: number }
  /** Ask these owners for an update to `round`, answered before `deadlineAt`. */
  | {
      readonly type: 'request-updates'
      readonly round: number
      readonly attempt: number
      readonly clients: readonly string[]
      readonly deadlineAt: number
    }
  /** Combine the round's accepted updates; the stragglers' never arrived. */
  | {
      readonly type: 'aggregate'
      readonly round: number
      readonly contributors: readonly string[]
      readonly stragglers: readonly string[]
    }
  /** The round missed its quorum at the deadline; it reopens with a fresh selection. */
  | {
      readonly type: 'round-abandoned'
      readonly round: number
      readonly attempt: number
      readonly received: number
      readonly quorum: number
    }
  /** The open round starts again from its request (its updates set aside), for `reason`. */
  | {
      readonly type: 'round-restarted'
      readonly round: number
      readonly attempt: number
      readonly reason: string
    }
  /** The open round was given up for `reason`: it closes with the model it started from. */
  | {
      readonly type: 'round-skipped'
      readonly round: number
      readonly attempt: number
      readonly reason: string
    }
  /** Too few owners are connected for a round. */
  | {
      readonly type: 'paused'
      readonly round: number
      readonly connected: number
      readonly needed: number
    }
  /** Enough owners returned after a pause. */
  | { readonly type: 'resumed'; readonly round: number; readonly connected: number }
  /** A round closed with this model. */
  | { readonly type: 'round-closed'; readonly round: number; readonly modelSha256: string }
  /** The last round closed. */
  | { readonly type: 'run-completed'; readonly rounds: number; readonly modelSha256: string }
  | { readonly type: 'run-failed'; readonly reason: string }

/** The type tag of every orchestrator effect. */
export type OrchestratorEffectType = OrchestratorEffect['type']
