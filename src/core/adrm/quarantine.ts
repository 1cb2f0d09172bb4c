import type { DetectionReason } from '../events/runEvent.ts'
import type { Severity } from './severity.ts'

/** A flagged update held back from aggregation, with why. */
export interface QuarantinedUpdate {
  readonly round: number
  readonly at: number
  readonly clientId: string
  readonly numExamples: number
  readonly update: Float64Array
  readonly severity: Severity
  readonly reasons: readonly DetectionReason[]
}

/** How many updates the quarantine holds, ever took and had to drop. */
export interface QuarantineCounts {
  /** Entries held now. */
  readonly held: number
  /** Entries ever added. */
  readonly total: number
  /** Entries dropped to stay within capacity. */
  readonly evicted: number
  /** Entries ever added, per client. */
  readonly perClient: Readonly<Record<string, number>>
}

/** The bounded store of flagged updates held back from aggregation for review. */
export interface Quarantine {
  /** Holds an entry; beyond capacity the oldest is dropped and returned. */
  hold(entry: QuarantinedUpdate): { readonly held: number; readonly evicted?: QuarantinedUpdate }
  /** Entries held, oldest first. */
  list(): readonly QuarantinedUpdate[]
  /** The entry of a client in a round, if still held. */
  get(round: number, clientId: string): QuarantinedUpdate | undefined
  /** Removes and returns an entry (an operator reviewed it); the caller decides what to do with it. */
  release(round: number, clientId: string): QuarantinedUpdate | undefined
  /** Entries held now, ever added and dropped. */
  counts(): QuarantineCounts
}

/**
 * Holds flagged updates for review instead of aggregating them (SPEC C6). Bounded:
 * at most `capacity` entries (each is a full update vector), oldest dropped first,
 * so a flood of attacks cannot exhaust the server's memory. Counters survive
 * eviction, so the totals stay true.
 */
export function createQuarantine(capacity: number): Quarantine {
  const entries: QuarantinedUpdate[] = []
  const perClient = new Map<string, number>()
  let total = 0
  let evicted = 0
  const find = (round: number, clientId: string) =>
    entries.findIndex((e) => e.round === round && e.clientId === clientId)

  return {
    hold(entry) {
      entries.push(entry)
      total++
      perClient.set(entry.clientId, (perClient.get(entry.clientId) ?? 0) + 1)
      if (entries.length <= Math.max(0, capacity)) return { held: entries.length }
      evicted++
      const dropped = entries.shift()!
      return { held: entries.length, evicted: dropped }
    },
    list: () => [...entries],
    get(round, clientId) {
      const index = find(round, clientId)
      return index < 0 ? undefined : entries[index]
    },
    release(round, clientId) {
      const index = find(round, clientId)
      return index < 0 ? undefined : entries.splice(index, 1)[0]
    },
    counts: () => ({
      held: entries.length,
      total,
      evicted,
      perClient: Object.fromEntries(perClient),
    }),
  }
}
