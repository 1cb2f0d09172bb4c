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

export interface RoundRecord {
  readonly round: number
  readonly selected: number
  readonly accepted: number
  /** Example-weighted mean of the clients' reported training loss (absent when clients cannot know it, as in MS-FL). */
  readonly trainLoss?: number
  readonly test: MetricSummary
  /** Clients the aggregation rule left out entirely this round. */
  readonly excluded: readonly string[]
  /** Per-component rules (MS-FL): share of components each client was selected on. */
  readonly selectionShare?: Readonly<Record<string, number>>
  readonly bytesSent: number
  readonly bytesReceived: number
  readonly durationMs: number
  /** MS-FL: milliseconds per protocol phase. */
  readonly phases?: Readonly<Record<string, number>>
  /** MS-FL with CKKS: max |decrypted aggregate − plaintext aggregate| / max |plaintext aggregate|. */
  readonly ckksError?: number
}

interface EventBase {
  readonly runId: string
  /** Milliseconds since the Unix epoch, from the runtime's clock. */
  readonly at: number
}

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
  | (EventBase & { readonly type: 'round-completed'; readonly record: RoundRecord })
  | (EventBase & {
      readonly type: 'run-completed'
      readonly rounds: number
      readonly final: MetricSummary
    })
  | (EventBase & { readonly type: 'run-failed'; readonly error: string })

export type RunEventType = RunEvent['type']

/** Where events go; implementations must not throw back into the protocol. */
export type EventSink = (event: RunEvent) => void
