import type { EventSink, RunEvent } from '../../core/events/runEvent.ts'

/** What the defence decided in one round, from its events. */
export interface DefenceRound {
  readonly round: number
  readonly flagged: readonly {
    readonly clientId: string
    readonly severity: string
    /** The detectors that fired, in the order they reported. */
    readonly detectors: readonly string[]
  }[]
  readonly quarantined: readonly string[]
  readonly blocked: readonly {
    readonly clientId: string
    readonly reputation: number
    readonly untilRound?: number
  }[]
  readonly unblocked: readonly string[]
  readonly rollbacks: readonly {
    readonly toVersion: number
    readonly accuracyBefore: number
    readonly accuracyAfter: number
  }[]
}

/** The parts of a run's event stream its report shows beyond the round records. */
export interface RunEventDigest {
  /** Malicious data owners and the attack each ran (from `run-started`). */
  readonly attackers: Readonly<Record<string, string>>
  /** Σ of `payment-made` per data owner, in the ledger's smallest unit. */
  readonly payouts: Readonly<Record<string, bigint>>
  /** Rounds in which the ledger paid anyone. */
  readonly paidRounds: number
  /** Rounds with any defence decision, in round order. */
  readonly defenceRounds: readonly DefenceRound[]
  /**
   * Reputation of every client whose reputation ever changed, after each round in
   * which it changed; `initial` is its value before the first change.
   */
  readonly reputations: Readonly<
    Record<string, { readonly initial: number; readonly after: Readonly<Record<number, number>> }>
  >
}

/**
 * Folds a run's events, as they are emitted, into what its report shows: attackers,
 * payments and the defence's decisions per round. It keeps
 * only those, not the stream (a long run emits an event per update).
 */
export function createRunEventDigest(): { readonly sink: EventSink; digest(): RunEventDigest } {
  let attackers: Readonly<Record<string, string>> = {}
  const payouts: Record<string, bigint> = {}
  const paid = new Set<number>()
  const rounds = new Map<number, MutableDefenceRound>()
  const reputations: Record<string, { initial: number; after: Record<number, number> }> = {}
  const defenceRound = (round: number) => {
    let r = rounds.get(round)
    if (!r) {
      r = { round, flagged: [], quarantined: [], blocked: [], unblocked: [], rollbacks: [] }
      rounds.set(round, r)
    }
    return r
  }
  const sink = (event: RunEvent) => {
    switch (event.type) {
      case 'run-started':
        attackers = { ...event.attackers }
        break
      case 'payment-made':
        payouts[event.clientId] = (payouts[event.clientId] ?? 0n) + BigInt(event.amount)
        paid.add(event.round)
        break
      case 'update-flagged':
        defenceRound(event.round).flagged.push({
          clientId: event.clientId,
          severity: event.severity,
          detectors: [...new Set(event.reasons.map((r) => r.detector))],
        })
        break
      case 'update-quarantined':
        defenceRound(event.round).quarantined.push(event.clientId)
        break
      case 'client-blocked':
        defenceRound(event.round).blocked.push({
          clientId: event.clientId,
          reputation: event.reputation,
          ...(event.untilRound === undefined ? {} : { untilRound: event.untilRound }),
        })
        break
      case 'client-unblocked':
        defenceRound(event.round).unblocked.push(event.clientId)
        break
      case 'model-rolled-back':
        defenceRound(event.round).rollbacks.push({
          toVersion: event.toVersion,
          accuracyBefore: event.accuracyBefore,
          accuracyAfter: event.accuracyAfter,
        })
        break
      case 'reputation-changed': {
        const book = reputations[event.clientId] ?? { initial: event.from, after: {} }
        book.after[event.round] = event.to
        reputations[event.clientId] = book
        break
      }
    }
  }
  return {
    sink,
    digest: () => ({
      attackers,
      payouts: { ...payouts },
      paidRounds: paid.size,
      defenceRounds: [...rounds.values()].sort((a, b) => a.round - b.round),
      reputations: structuredClone(reputations),
    }),
  }
}

type MutableDefenceRound = {
  -readonly [K in keyof DefenceRound]: DefenceRound[K] extends readonly (infer E)[]
    ? E[]
    : DefenceRound[K]
}
