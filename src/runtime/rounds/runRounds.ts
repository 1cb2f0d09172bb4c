import { MsflError } from '../../core/errors/msflError.ts'
import { createRunEmitter, type RunEmitter } from '../../core/events/createRunEmitter.ts'
import type { EventSink, RoundRecord } from '../../core/events/runEvent.ts'
import type { ProtocolMessage, Transport } from '../../core/ports/transport.ts'
import { collectReplies, type ReplyOutcome, type StartTimer } from './collectReplies.ts'
import { type RoundEvaluation, summarise } from './roundEvaluation.ts'
import type { RoundJournal } from './roundJournal.ts'

/** Ten minutes: long enough for local training on a slow owner, short enough to notice a dead one. */
export const DEFAULT_DEADLINE_MS = 600_000

/** One step of a round: the participants asked, and what each is sent. */
export interface RoundBroadcast<U> {
  readonly participants: readonly string[]
  /** The request sent to `clientId`. */
  message(clientId: string): ProtocolMessage
  /**
   * Simulation of an omniscient attacker: these participants are asked only after the
   * others answered, and `observe` first shows them what the others sent.
   */
  readonly last?: {
    readonly participants: ReadonlySet<string>
    /** Shown the updates accepted from the others before these participants are asked. */
    observe(accepted: readonly AcceptedUpdate<U>[]): void
  }
}

/** A reply the protocol accepted, with what its sender reported in the clear (if anything). */
export interface AcceptedUpdate<U> {
  readonly clientId: string
  readonly update: U
}

/** The protocol's verdict on one reply: accepted as an update (with what its sender reported), or refused with a reason. */
export type ReplyVerdict<U> =
  | { readonly update: U; readonly received?: { numExamples: number; trainLoss: number } }
  | { readonly reason: string }

/** What the protocol's stages made of the round: the evaluation and its own record fields. */
export interface RoundResult<X> {
  readonly evaluation: RoundEvaluation
  /** Protocol-specific fields; may also override `accepted`, `excluded` and `trainLoss`. */
  readonly record: X & Partial<Pick<RoundRecord, 'accepted' | 'excluded' | 'trainLoss'>>
}

/**
 * A protocol, as the driver sees it: what differs between FedAvg, a protected run
 * and MS-FL. The driver owns the loop, the deadlines, stragglers, events and
 * bookkeeping; the protocol plans (sample, broadcast), checks each reply, and turns
 * the accepted updates into the next model (screen → aggregate → review → settle →
 * evaluate).
 */
export interface RoundProtocol<U, X> {
  /** How events and errors name a participant and what it sends ('client', 'update'). */
  readonly names: { readonly participant: string; readonly update: string }
  /** Before round 1 (e.g. publish the initial model). */
  open?(): Promise<void>
  /** Sample and broadcast: who is asked this round, and what each is sent. */
  plan(round: number): Promise<RoundBroadcast<U>>
  /** Validates one reply from an untrusted participant. */
  check(round: number, clientId: string, reply: unknown): ReplyVerdict<U>
  /** Screen, aggregate, review, settle and evaluate: the round's result from the accepted updates. */
  finish(
    round: number,
    accepted: readonly AcceptedUpdate<U>[],
    plan: RoundBroadcast<U>,
  ): Promise<RoundResult<X>>
}

/** What the round driver needs: the run, the transport, the protocol, and its deadline policy. */
export interface RunRoundsParameters<U, X> {
  readonly runId: string
  readonly rounds: number
  readonly transport: Transport
  readonly protocol: RoundProtocol<U, X>
  /** How long a participant may take to answer a round's request. */
  readonly deadlineMs?: number
  /** Fewest accepted updates a round (with participants) needs to go on (default 1). */
  readonly minAccepted?: number
  readonly startTimer?: StartTimer
  /** The first round to run (default 1): a run resumed after a restart continues where it stopped. */
  readonly firstRound?: number
  /** Writes every step before it is acted on, and gives a resumed round its recorded replies. */
  readonly journal?: RoundJournal
  readonly emit: EventSink
  /** Milliseconds; injected so tests and replays control time. */
  readonly now: () => number
}

/** Every round's record, and the evaluation after the last round. */
export interface RoundsResult<X> {
  readonly history: readonly (RoundRecord & X)[]
  readonly final: RoundEvaluation
}

/**
 * The one round loop of msfl, whichever protocol and transport: plan, send every
 * request under the deadline, record stragglers and failures, check each reply, let
 * the protocol finish the round, evaluate, and report every step as an event.
 */
export async function runRounds<U, X>(p: RunRoundsParameters<U, X>): Promise<RoundsResult<X>> {
  if (!Number.isInteger(p.rounds) || p.rounds < 1)
    throw new MsflError('CONFIG_INVALID', 'rounds: must be at least 1')
  const event = createRunEmitter(p)
  const history: (RoundRecord & X)[] = []
  let final: RoundEvaluation | undefined
  const firstRound = p.firstRound ?? 1
  if (!Number.isInteger(firstRound) || firstRound < 1 || firstRound > p.rounds)
    throw new MsflError('CONFIG_INVALID', `firstRound: must be a round of 1 … ${p.rounds}`)
  // Round 0 (e.g. the initial model's publication) happened before a resumed run stopped.
  if (firstRound === 1) await p.protocol.open?.()
  for (let round = firstRound; round <= p.rounds; round++) {
    const started = p.now()
    const before = p.transport.stats()
    const plan = await p.protocol.plan(round)
    event('round-started', { round, clients: plan.participants })
    const { accepted, stragglers } = await collectRound(p, event, round, plan)
    const result = await p.protocol.finish(round, accepted, plan)
    final = result.evaluation
    const after = p.transport.stats()
    const record = {
      round,
      selected: plan.participants.length,
      accepted: accepted.length,
      excluded: [],
      ...result.record,
      test: summarise(result.evaluation),
      stragglers,
      bytesSent: after.bytesSent - before.bytesSent,
      bytesReceived: after.bytesReceived - before.bytesReceived,
      durationMs: p.now() - started,
    } as RoundRecord & X
    await p.journal?.closed(round, record)
    history.push(record)
    event('round-completed', { record })
  }
  if (!final) throw new MsflError('CONFIG_INVALID', 'rounds: must be at least 1')
  event('run-completed', { rounds: p.rounds, final: summarise(final) })
  return { history, final }
}

async function collectRound<U, X>(
  p: RunRoundsParameters<U, X>,
  event: RunEmitter,
  round: number,
  plan: RoundBroadcast<U>,
): Promise<{ accepted: AcceptedUpdate<U>[]; stragglers: string[] }> {
  const accepted: AcceptedUpdate<U>[] = []
  const stragglers: string[] = []
  const journal = p.journal
  const opened = await journal?.opened(round, plan.participants)
  // A journaled round's deadline is absolute and stored, so a restart re-arms what is left of it.
  const deadlineMs = opened
    ? Math.max(0, opened.deadlineAt - p.now())
    : (p.deadlineMs ?? DEFAULT_DEADLINE_MS)
  const ask = async (clients: readonly string[]) => {
    const fresh = clients.filter((c) => !opened?.recorded.has(c))
    const requests = new Map(fresh.map((c) => [c, plan.message(c)] as const))
    const collected =
      fresh.length === 0 || opened?.collected || deadlineMs === 0
        ? fresh.map((clientId) => ({ clientId, straggler: true as const }))
        : await collectReplies(p.transport, requests, {
            deadlineMs,
            ...(p.startTimer ? { startTimer: p.startTimer } : {}),
          })
    const byClient = new Map(collected.map((o) => [o.clientId, o]))
    // In the order asked, recorded replies in their places: the combination does not depend
    // on whether the server restarted in between.
    const outcomes = clients.map(
      (clientId): ReplyOutcome =>
        opened?.recorded.has(clientId)
          ? { clientId, reply: opened.recorded.get(clientId) }
          : byClient.get(clientId)!,
    )
    for (const outcome of outcomes) {
      let verdict = judge(p.protocol, round, outcome)
      if (journal && verdict !== 'straggler' && !('reason' in verdict) && 'reply' in outcome) {
        const written = await journal.accepted(round, outcome.clientId, outcome.reply)
        if (written !== 'recorded') verdict = { reason: written.refused }
      }
      if (verdict === 'straggler') {
        stragglers.push(outcome.clientId)
        event('participant-straggled', { round, clientId: outcome.clientId, deadlineMs })
      } else if ('reason' in verdict) {
        event('update-rejected', { round, clientId: outcome.clientId, reason: verdict.reason })
      } else {
        accepted.push({ clientId: outcome.clientId, update: verdict.update })
        if (verdict.received)
          event('update-received', { round, clientId: outcome.clientId, ...verdict.received })
      }
    }
  }
  const last = plan.last
  if (last && journal)
    throw new MsflError('CONFIG_INVALID', 'a journaled run cannot simulate omniscient attackers')
  if (last) {
    await ask(plan.participants.filter((c) => !last.participants.has(c)))
    last.observe(accepted)
    await ask(plan.participants.filter((c) => last.participants.has(c)))
  } else {
    await ask(plan.participants)
  }
  const minimum = Math.min(p.minAccepted ?? 1, plan.participants.length)
  if (accepted.length < minimum) {
    const { participant, update } = p.protocol.names
    const late =
      stragglers.length > 0
        ? `; no reply within ${deadlineMs} ms from ${stragglers.join(', ')}`
        : ''
    throw new MsflError(
      'PROTOCOL',
      accepted.length === 0
        ? `round ${round}: no ${participant} returned a valid ${update}${late}`
        : `round ${round}: ${accepted.length} valid ${update}s, at least ${minimum} needed${late}`,
    )
  }
  await journal?.collected(round, stragglers)
  return { accepted, stragglers }
}

function judge<U, X>(
  protocol: RoundProtocol<U, X>,
  round: number,
  outcome: ReplyOutcome,
): ReplyVerdict<U> | 'straggler' {
  if ('straggler' in outcome) return 'straggler'
  if ('failure' in outcome) return { reason: outcome.failure }
  return protocol.check(round, outcome.clientId, outcome.reply)
}
