import type { MessageHandler, Transport } from '../../core/ports/transport.ts'
import type { HidingPart } from '../../core/privacy/parsePrivacySpec.ts'

/** What the server stage of a protection gets: the round's raw fit replies. */
export interface ProtectedRoundInput {
  readonly round: number
  /** The global parameters the clients trained from. */
  readonly params: Float64Array
  readonly replies: readonly { readonly clientId: string; readonly reply: unknown }[]
  /** How long one request of the protection's own (e.g. to the key holder) may take. */
  readonly deadlineMs: number
}

/** The round's aggregate in the clear, as only the party entitled to it sees it. */
export interface ProtectedAggregate {
  /** Σ nᵢ·Δᵢ over the contributors (Δᵢ = client parameters − global parameters). */
  readonly weightedSum: Float64Array
  /** Σ nᵢ over the contributors. */
  readonly examples: number
  /** Whose updates are in the sum, with what they reported in the clear. */
  readonly contributors: readonly {
    readonly clientId: string
    readonly numExamples: number
    readonly trainLoss: number
  }[]
  readonly rejected: readonly { readonly clientId: string; readonly reason: string }[]
  /** Clients that vanished during the protocol (secure aggregation dropouts). */
  readonly dropped: readonly string[]
  /** Mean bytes one contributor uploaded this round for its protected update. */
  readonly bytesPerClient: number
}

/**
 * A protection of model updates (SPEC C5): a wrapper ("mod") around each client that
 * turns its plaintext fit reply into a protected one, and the matching server stage
 * that combines protected replies into Σ nᵢ·Δᵢ without the server seeing any single
 * Δᵢ. FedAvg then applies Σ nᵢ·Δᵢ / Σ nᵢ. Robust rules need individual updates and
 * cannot run behind a protection that hides them.
 */
export interface UpdateProtection {
  /** Canonical spec, e.g. `ckks:preset=ckks-8192`. */
  readonly spec: string
  /** Wraps a client so that its update leaves it protected. */
  wrapClient(clientId: string, inner: MessageHandler): MessageHandler
  /** Runs the protected aggregation of one round over the transport and returns the sum only. */
  aggregate(input: ProtectedRoundInput, transport: Transport): Promise<ProtectedAggregate>
  /** Frees keys and backend memory. */
  dispose(): Promise<void>
}

/**
 * A party a protection brings besides the clients, reached over the transport under
 * `id` (the key holder of ckks and paillier): the runner registers `handler` beside the
 * clients' handlers and never hands it to the server stage.
 */
export interface ProtectionParticipant {
  readonly id: string
  readonly handler: MessageHandler
  /** Frees what the participant holds (the secret key). */
  dispose(): Promise<void>
}

/**
 * A protection as the composition root opens it: the client wrapper and server stage
 * (public material only), and the participants that hold what the server must not.
 */
export interface OpenedProtection {
  readonly protection: UpdateProtection
  readonly participants: readonly ProtectionParticipant[]
}

/** What a protection needs to know about the run. */
export interface ProtectionContext {
  readonly runId: string
  readonly clients: readonly string[]
  /** The job's rounds (the key holder decrypts no later round). */
  readonly rounds: number
  /**
   * The fewest owners' updates a decrypted sum may hold: 2, or client-level DP's t
   * (`min`) with distributed noise, so that no released sum carries fewer noise shares.
   */
  readonly minContributors: number
  /** The largest owner's example count: a public bound updates can be scaled by. */
  readonly referenceExamples: number
  /** Simulation (`--dropout`): whether a client vanishes after key sharing in a round. */
  readonly dropsOut: (clientId: string, round: number) => boolean
}

/** Builds the protection a `--privacy` part names, with its participants; keys come from adapters. */
export type CreateProtection = (
  hiding: HidingPart,
  context: ProtectionContext,
) => Promise<OpenedProtection>

/**
 * Replaces FedAvg's step for client-level DP (createClientLevelRun): `admits` sees the
 * round's replies before the protection combines them and may drop the round (too few
 * noise shares: nothing is summed, unmasked or decrypted, the model stays put); `step`
 * turns the aggregate into the update added to the global model (noise, the fixed
 * denominator q·K, accounting) instead of Σ nᵢ·Δᵢ / Σ nᵢ.
 */
export interface ProtectedRoundHooks {
  /** Whether this round's replies may be combined (else the round releases nothing). */
  admits(round: number, replies: readonly { readonly clientId: string; reply: unknown }[]): boolean
  /** The update added to the global model, from the round's aggregate. */
  step(round: number, aggregate: ProtectedAggregate): Float64Array
}
