import { MsflError } from '../errors/msflError.ts'
import type { AdrmNotice, Moment } from './adrmNotice.ts'
import type { Severity } from './severity.ts'

/**
 * Settings of ADRM's reputation book: initial and maximum points, penalties per severity, recovery
 * and blocking.
 */
export interface ReputationConfig {
  /** Reputation of a client never seen before, and the upper bound. */
  readonly initial: number
  readonly max: number
  /** Points lost per flagged update, by severity (SPEC C6: 25 for a detection). */
  readonly penalties: Readonly<Record<Exclude<Severity, 'none'>, number>>
  /** Points regained per round with a clean (severity none) update. */
  readonly recovery: number
  /** A penalty that leaves the reputation below this blocks the client. */
  readonly blockBelow: number
  /** A high-severity detection blocks the client whatever its reputation. */
  readonly blockOnHigh: boolean
  /** Block length in rounds (0: no limit in rounds). */
  readonly blockRounds: number
  /** Block length in milliseconds of the runtime's clock (0: no limit in time). */
  readonly blockMs: number
  /** Each earlier block of the same client multiplies the length by this (1: every block as long). */
  readonly escalation: number
}

export const DEFAULT_REPUTATION: ReputationConfig = {
  initial: 100,
  max: 100,
  penalties: { low: 0, medium: 10, high: 25 },
  recovery: 2,
  blockBelow: 50,
  blockOnHigh: true,
  blockRounds: 2,
  blockMs: 0,
  escalation: 2,
}

/**
 * A client blocked from sampling: why, since when, and which offence of that client it is (exported
 * as `ReputationBlock`).
 */
export interface Block {
  readonly clientId: string
  readonly reason: string
  readonly since: Moment
  /** 1 for the client's first block, 2 for its second, … */
  readonly offence: number
  /** First round the client may take part in again. */
  readonly untilRound?: number
  /** Clock value (ms) from which the client may take part again. */
  readonly untilAt?: number
}

export interface ReputationSnapshot {
  readonly reputations: Readonly<Record<string, number>>
  readonly blocks: readonly Block[]
}

export interface ReputationBook {
  reputation(clientId: string): number
  block(clientId: string): Block | undefined
  /** Whether the client is blocked at `when` (an expired block no longer counts, even before `expire`). */
  isBlocked(clientId: string, when: Moment): boolean
  /** Applies the penalty for a flagged update; may block. */
  penalise(clientId: string, severity: Severity, when: Moment, reason: string): AdrmNotice[]
  /** A clean round: regains `recovery` points, never above `max`. */
  recover(clientId: string, when: Moment): AdrmNotice[]
  /** Lifts every block whose limits have all passed at `when`; reputations are kept. */
  expire(when: Moment): AdrmNotice[]
  /** Lifts a block now (an operator's decision); the reputation is kept. */
  unblock(clientId: string, when: Moment, reason: string): AdrmNotice[]
  snapshot(): ReputationSnapshot
}

/**
 * Per-client reputation with temporary blocks (SPEC C6). Reputation starts at
 * `initial`, falls by the severity's penalty for every flagged update and climbs back
 * by `recovery` per clean round, always within [0, max]: slow recovery means an
 * attacker that alternates attacks with clean rounds still runs down its reputation.
 *
 * A block starts on a high-severity detection (when `blockOnHigh`) or when a penalty
 * leaves the reputation below `blockBelow`. It lasts `blockRounds` rounds after the
 * one it started in and/or `blockMs` milliseconds; with both, until both have passed
 * (the longer wins: a fast simulated clock cannot cut a block short, nor can a slow
 * round cadence). Every earlier block of the same client multiplies the length by
 * `escalation` (2, 4, 8 … rounds; the multiplier stops growing at 2¹⁰): an attacker
 * that comes back and attacks again spends ever more rounds outside, while an honest
 * client hit by one false positive is out for the base length only. Unblocking keeps
 * the reputation: the next offence takes it lower.
 * Time is always a parameter, so blocks expire on a virtual clock in tests.
 */
export function createReputationBook(config: ReputationConfig): ReputationBook {
  if (config.blockRounds <= 0 && config.blockMs <= 0)
    throw new MsflError(
      'CONFIG_INVALID',
      'adrm: a block needs a length: set block (rounds) or block-ms above 0',
    )
  const reputations = new Map<string, number>()
  const blocks = new Map<string, Block>()
  const offences = new Map<string, number>()
  const get = (id: string) => reputations.get(id) ?? config.initial
  const expired = (block: Block, when: Moment) =>
    (block.untilRound === undefined || when.round >= block.untilRound) &&
    (block.untilAt === undefined || when.at >= block.untilAt)
  const change = (id: string, to: number, when: Moment, reason: string): AdrmNotice[] => {
    const from = get(id)
    const bounded = Math.max(0, Math.min(config.max, to))
    reputations.set(id, bounded)
    return bounded === from
      ? []
      : [{ type: 'reputation-changed', round: when.round, clientId: id, from, to: bounded, reason }]
  }

  return {
    reputation: get,
    block: (id) => blocks.get(id),
    isBlocked(id, when) {
      const block = blocks.get(id)
      return block !== undefined && !expired(block, when)
    },
    penalise(id, severity, when, reason) {
      if (severity === 'none') return []
      const notices = change(id, get(id) - config.penalties[severity], when, reason)
      const reputation = get(id)
      const cause =
        severity === 'high' && config.blockOnHigh
          ? `high-severity detection: ${reason}`
          : reputation < config.blockBelow
            ? `reputation ${reputation} fell below ${config.blockBelow}: ${reason}`
            : undefined
      if (cause === undefined) return notices
      const offence = (offences.get(id) ?? 0) + 1
      offences.set(id, offence)
      const factor = Math.max(1, config.escalation) ** Math.min(offence - 1, 10)
      const block: Block = {
        clientId: id,
        reason: cause,
        since: when,
        offence,
        ...(config.blockRounds > 0
          ? { untilRound: when.round + 1 + Math.round(config.blockRounds * factor) }
          : {}),
        ...(config.blockMs > 0 ? { untilAt: when.at + Math.round(config.blockMs * factor) } : {}),
      }
      blocks.set(id, block)
      notices.push({
        type: 'client-blocked',
        round: when.round,
        clientId: id,
        reason: cause,
        reputation,
        ...(block.untilRound !== undefined ? { untilRound: block.untilRound } : {}),
        ...(block.untilAt !== undefined ? { untilAt: block.untilAt } : {}),
      })
      return notices
    },
    recover: (id, when) => change(id, get(id) + config.recovery, when, 'clean round'),
    expire(when) {
      const notices: AdrmNotice[] = []
      for (const [id, block] of blocks)
        if (expired(block, when)) {
          blocks.delete(id)
          notices.push({
            type: 'client-unblocked',
            round: when.round,
            clientId: id,
            reason: 'block expired',
            reputation: get(id),
          })
        }
      return notices
    },
    unblock(id, when, reason) {
      if (!blocks.delete(id)) return []
      return [
        { type: 'client-unblocked', round: when.round, clientId: id, reason, reputation: get(id) },
      ]
    },
    snapshot: () => ({
      reputations: Object.fromEntries(reputations),
      blocks: [...blocks.values()],
    }),
  }
}
