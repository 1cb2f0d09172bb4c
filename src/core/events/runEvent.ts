/**
 * Everything that happens in a run, as plain serialisable values. The event stream
 * is the single source for the console display, the JSON-lines log, the stored
 * history and (later) the dashboard and TUI.
 */

/** Scalar metrics of one evaluation, as fractions (never percent). */
export interface MetricSummary {
  readonly loss: number
  readonly accuracy?: number
  readonly precision?: number
  readonly recall?: number
  readonly f1?: number
  readonly auc?: number
  readonly rmse?: number
  /** Backdoor: share of triggered non-target test inputs classified as the target. */
  readonly attackSuccessRate?: number
  /** Label flipping: mean recall of the classes the attack relabels. */
  readonly flippedClassRecall?: number
}

/** What every protocol records about one round. */
export interface RoundRecord {
  readonly round: number
  readonly selected: number
  readonly accepted: number
  /** Example-weighted mean of the clients' reported training loss (absent when clients cannot know it, as in MS-FL). */
  readonly trainLoss?: number
  readonly test: MetricSummary
  /** Clients the aggregation rule left out entirely this round. */
  readonly excluded: readonly string[]
  /** Participants that did not answer within the deadline; the round went on without them. */
  readonly stragglers: readonly string[]
  readonly bytesSent: number
  readonly bytesReceived: number
  readonly durationMs: number
}

/** A plaintext round (FedAvg, FedSGD, any robust rule). */
export interface FederationRoundRecord extends RoundRecord {
  /** Per-component rules: share of components each client was selected on. */
  readonly selectionShare?: Readonly<Record<string, number>>
}

/** A round whose updates were protected (SecAgg, CKKS, Paillier, DP). */
export interface ProtectedRoundRecord extends RoundRecord {
  /** Clients that vanished during the protection's own steps (secure aggregation dropouts). */
  readonly dropped: readonly string[]
  readonly protectedBytesPerClient: number
  /**
   * Why the round was given up without an update (the provider restarted mid-round: a
   * protected round never runs twice); the model stayed as it was before the round.
   */
  readonly skipped?: string
}

/** An MS-FL round. */
export interface MsflRoundRecord extends RoundRecord {
  /** Milliseconds per protocol phase. */
  readonly phases: Readonly<Record<string, number>>
  /** The share of components each owner was selected on: its payment basis. */
  readonly selectionShare: Readonly<Record<string, number>>
  /** With CKKS: max |decrypted aggregate − plaintext aggregate| / max |plaintext aggregate|. */
  readonly ckksError?: number
}

/** The record of a round of any protocol, as the round-completed event carries it. */
export type AnyRoundRecord = FederationRoundRecord | ProtectedRoundRecord | MsflRoundRecord

/** One detector's finding about an update: what it measured, against what, and why it matters. */
export interface DetectionReason {
  /** Detector name, e.g. `distance-z`, `magnitude`, `iforest`. */
  readonly detector: string
  readonly value: number
  readonly threshold: number
  readonly severity: 'low' | 'medium' | 'high'
  readonly detail: string
}

/** Fields every run event carries: the run id and when it happened. */
export interface EventBase {
  readonly runId: string
  /** Milliseconds since the Unix epoch, from the runtime's clock. */
  readonly at: number
}

/**
 * Everything that happens in a run, discriminated by `type`: run and round start and end, updates
 * received or rejected, defence and ledger notices, and more.
 */
export type RunEvent =
  | (EventBase & {
      readonly type: 'run-started'
      readonly dataset: string
      readonly model: string
      readonly strategy: string
      readonly clients: number
      readonly rounds: number
      readonly numParams: number
      readonly trainRows: number
      readonly testRows: number
      /** Malicious clients and the attack each runs (simulation only). */
      readonly attackers: Readonly<Record<string, string>>
    })
  | (EventBase & {
      readonly type: 'round-started'
      readonly round: number
      readonly clients: readonly string[]
    })
  | (EventBase & {
      readonly type: 'update-received'
      readonly round: number
      readonly clientId: string
      readonly numExamples: number
      readonly trainLoss: number
    })
  | (EventBase & {
      readonly type: 'update-rejected'
      readonly round: number
      readonly clientId: string
      readonly reason: string
    })
  | (EventBase & {
      readonly type: 'update-excluded'
      readonly round: number
      readonly clientId: string
      /** The strategy (and rule) that left the update out. */
      readonly rule: string
    })
  | (EventBase & {
      /**
       * The robust rule combined fewer updates than the round asked for (the screen set
       * some aside, or participants straggled): it ran on what remained, assuming f of
       * them Byzantine under the declared tolerance (or the rule's own f=).
       */
      readonly type: 'robust-rule-adjusted'
      readonly round: number
      /** The strategy and rule, e.g. 'fedavg+median'. */
      readonly rule: string
      /** Participants the round asked. */
      readonly planned: number
      /** Valid updates received. */
      readonly received: number
      /** Of those, set aside by the screen (ADRM quarantine or blocking) before the rule. */
      readonly screened: number
      /** Updates the rule combined, and how many of them it assumed Byzantine. */
      readonly n: number
      readonly f: number
    })
  | (EventBase & {
      readonly type: 'payment-made'
      readonly round: number
      readonly clientId: string
      /** Decimal string: amounts are bigints on the ledger. */
      readonly amount: string
    })
  | (EventBase & {
      /** A data owner checked the committed table and its payout against the ledger's event log. */
      readonly type: 'table-verified'
      readonly round: number
      readonly clientId: string
      readonly ledgerRound: string
      readonly ok: boolean
      readonly reason?: string
    })
  | (EventBase & {
      /** The requestor registered the digest of the global model after this round on the ledger. */
      readonly type: 'model-registered'
      readonly round: number
      /** Hex of the 32-byte digest (keccak256 of the serialised model on a chain). */
      readonly digest: string
    })
  | (EventBase & {
      readonly type: 'round-unfunded'
      readonly round: number
      readonly ledgerRound: string
    })
  | (EventBase & {
      /** MS-FL: the service provider refused the committed table; the deposit was refunded, nothing released. */
      readonly type: 'table-declined'
      readonly round: number
      readonly ledgerRound: string
      readonly reason: string
    })
  | (EventBase & {
      /** A participant did not answer within the deadline; the round goes on without it. */
      readonly type: 'participant-straggled'
      readonly round: number
      readonly clientId: string
      readonly deadlineMs: number
    })
  | (EventBase & {
      /** Fewer owners are connected than the job's minimum: the run waits before `round`. */
      readonly type: 'run-paused'
      readonly round: number
      readonly connected: number
      readonly needed: number
    })
  | (EventBase & {
      /** Enough owners are connected again: `round` opens. */
      readonly type: 'run-resumed'
      readonly round: number
      readonly connected: number
    })
  | (EventBase & { readonly type: 'round-completed'; readonly record: AnyRoundRecord })
  | (EventBase & {
      readonly type: 'run-completed'
      readonly rounds: number
      readonly final: MetricSummary
    })
  | (EventBase & { readonly type: 'run-failed'; readonly error: string })
  | (EventBase & {
      /** SMPC: the verifier nodes computed a local model's validation accuracy on shares. */
      readonly type: 'model-verified'
      readonly round: number
      readonly clientId: string
      /** Fraction of the validation set classified correctly (the only value opened). */
      readonly accuracy: number
      readonly accepted: boolean
      /** Why the model was left out (absent when accepted). */
      readonly reason?: string
    })
  | (EventBase & {
      /** SMPC: a verifier node reported a result the majority of nodes did not. */
      readonly type: 'verifier-outvoted'
      readonly round: number
      readonly nodeId: string
    })
  | (EventBase & {
      /** ADRM: a detector found this update suspicious; every reason carries its numbers. */
      readonly type: 'update-flagged'
      readonly round: number
      readonly clientId: string
      readonly severity: 'low' | 'medium' | 'high'
      readonly reasons: readonly DetectionReason[]
    })
  | (EventBase & {
      /** ADRM: the update is held for review and left out of this round's aggregation. */
      readonly type: 'update-quarantined'
      readonly round: number
      readonly clientId: string
      readonly severity: 'low' | 'medium' | 'high'
      readonly reason: string
      /** Entries held after this one was added (the oldest are dropped beyond capacity). */
      readonly held: number
    })
  | (EventBase & {
      /** ADRM: the client may not take part until the block expires. */
      readonly type: 'client-blocked'
      readonly round: number
      readonly clientId: string
      readonly reason: string
      readonly reputation: number
      /** First round the client may take part in again (absent: no limit in rounds). */
      readonly untilRound?: number
      /** Milliseconds (runtime clock) from which the client may take part again (absent: no limit in time). */
      readonly untilAt?: number
    })
  | (EventBase & {
      readonly type: 'client-unblocked'
      readonly round: number
      readonly clientId: string
      readonly reason: string
      readonly reputation: number
    })
  | (EventBase & {
      readonly type: 'reputation-changed'
      readonly round: number
      readonly clientId: string
      readonly from: number
      readonly to: number
      readonly reason: string
    })
  | (EventBase & {
      /** ADRM: validation accuracy fell by more than the margin; the earlier version is kept. */
      readonly type: 'model-rolled-back'
      readonly round: number
      /** Version the rejected model would have become. */
      readonly fromVersion: number
      /** Version restored. */
      readonly toVersion: number
      /** Validation accuracy of the restored version and of the rejected model (fractions). */
      readonly accuracyBefore: number
      readonly accuracyAfter: number
      /** Largest drop tolerated, as a fraction. */
      readonly margin: number
    })
  | (EventBase & {
      /** ADRM champion/challenger: a retrained anomaly model replaced the one in use. */
      readonly type: 'anomaly-model-replaced'
      readonly round: number
      readonly reason: string
      /** ROC AUC on the held-out labelled rounds (absent when there was no champion to compare). */
      readonly championAuc?: number
      readonly challengerAuc?: number
      /** Feature rows the new model was trained on. */
      readonly trainedOn: number
    })

/** The type tag of every event. */
export type RunEventType = RunEvent['type']

/** Where events go; implementations must not throw back into the protocol. */
export type EventSink = (event: RunEvent) => void

/** What an event of type `T` carries besides its type, run and time. */
export type RunEventBody<T extends RunEventType> = Omit<
  Extract<RunEvent, { readonly type: T }>,
  'type' | 'runId' | 'at'
>
