import { MsflError } from '../../core/errors/msflError.ts'
import { createRunEmitter } from '../../core/events/createRunEmitter.ts'
import type { EventSink, ProtectedRoundRecord, RoundRecord } from '../../core/events/runEvent.ts'
import type { FitInstruction } from '../../core/fl/messages.ts'
import type { Strategy } from '../../core/fl/strategy.ts'
import type { Transport } from '../../core/ports/transport.ts'
import type { Rng } from '../../core/rng/rng.ts'
import type { StartTimer } from '../rounds/collectReplies.ts'
import type { RoundEvaluation } from '../rounds/roundEvaluation.ts'
import { closingWithParams, type FederationJournal } from '../rounds/roundJournal.ts'
import { DEFAULT_DEADLINE_MS, type RoundProtocol, runRounds } from '../rounds/runRounds.ts'
import type {
  ProtectedAggregate,
  ProtectedRoundHooks,
  UpdateProtection,
} from './updateProtection.ts'

export type { ProtectedRoundRecord } from '../../core/events/runEvent.ts'

/** A protected FedAvg run: the strategy, the protection, the clients and the rounds. */
export interface RunProtectedFederationParameters {
  readonly runId: string
  readonly strategy: Strategy
  readonly protection: UpdateProtection
  readonly transport: Transport
  readonly clients: readonly string[]
  readonly rounds: number
  readonly initialParams: Float64Array
  /** Held-out evaluation of the global parameters after every round. */
  readonly evaluate: (params: Float64Array) => RoundEvaluation
  readonly rng: Rng
  /** Told after each round (e.g. to account privacy); may throw to stop the run. */
  readonly afterRound?: (round: number, aggregate: ProtectedAggregate) => void
  /** Client-level DP: which rounds may be combined, and the step instead of FedAvg's. */
  readonly hooks?: ProtectedRoundHooks
  /**
   * How long a client may take to answer the round's fit request, and the key holder a
   * decryption request (default ten minutes).
   */
  readonly deadlineMs?: number
  readonly startTimer?: StartTimer
  /** The first round to run (default 1): a resumed run goes on after its last closed round. */
  readonly firstRound?: number
  /** The run's durable journal (msfl server --store): each step written before it is acted on. */
  readonly journal?: FederationJournal
  readonly emit: EventSink
  /** Milliseconds; injected so tests and replays control time. */
  readonly now: () => number
}

/** The final parameters, every round's record and the final evaluation. */
export interface ProtectedFederationResult {
  readonly params: Float64Array
  readonly history: readonly ProtectedRoundRecord[]
  readonly final: RoundEvaluation
}

/**
 * FedAvg with protected updates (SPEC C5): the strategy plans each round and sends the
 * global parameters, every client answers through its protection wrapper, and the
 * protection's server stage returns only Σ nᵢ·Δᵢ and Σ nᵢ, from which the global model
 * moves by their ratio. The server never holds an individual update, so robust rules
 * (which need them) cannot run here; the caller refuses that combination.
 */
export async function runProtectedFederation(
  p: RunProtectedFederationParameters,
): Promise<ProtectedFederationResult> {
  const protocol = protectedProtocol(p)
  const { journal, ...rest } = p
  const { history, final } = await runRounds({
    ...rest,
    protocol,
    ...(journal ? { journal: closingWithParams(journal, () => protocol.params()) } : {}),
    // Who answered is the protection's business: client-level DP may drop a round that
    // is short of noise shares instead of failing it.
    minAccepted: 0,
  })
  return { params: protocol.params(), history, final }
}

type ProtectedRecordFields = Omit<ProtectedRoundRecord, keyof RoundRecord>

function protectedProtocol(
  p: RunProtectedFederationParameters,
): RoundProtocol<unknown, ProtectedRecordFields> & { params(): Float64Array } {
  const event = createRunEmitter(p)
  let params = p.initialParams
  return {
    names: { participant: 'client', update: 'protected update' },
    params: () => params,
    async plan(round) {
      const plan = p.strategy.configureRound(round, p.clients, p.rng)
      if (plan.mode !== 'params')
        throw new MsflError('CONFIG_INVALID', 'strategy: protected updates need fedavg')
      const instruction: FitInstruction = {
        type: 'fit',
        runId: p.runId,
        round,
        mode: plan.mode,
        params,
        training: plan.training,
      }
      return { participants: plan.clients, message: () => instruction }
    },
    // The protection's server stage parses the protected replies itself.
    check: (_round, _clientId, reply) => ({ update: reply }),
    async finish(round, accepted, plan) {
      const replies = accepted.map(({ clientId, update }) => ({ clientId, reply: update }))
      if (p.hooks && !p.hooks.admits(round, replies)) {
        // Dropped before anything is combined: the round releases nothing.
        for (const clientId of plan.participants)
          event('update-excluded', { round, clientId, rule: p.strategy.name })
        return {
          evaluation: p.evaluate(params),
          record: {
            accepted: 0,
            trainLoss: 0,
            excluded: [...plan.participants],
            dropped: [],
            protectedBytesPerClient: 0,
          },
        }
      }
      const aggregate = await p.protection.aggregate(
        { round, params, replies, deadlineMs: p.deadlineMs ?? DEFAULT_DEADLINE_MS },
        p.transport,
      )
      for (const { clientId, reason } of aggregate.rejected)
        event('update-rejected', { round, clientId, reason })
      for (const { clientId, numExamples, trainLoss } of aggregate.contributors)
        event('update-received', { round, clientId, numExamples, trainLoss })
      if (!(aggregate.examples > 0))
        throw new MsflError('PROTOCOL', `round ${round}: no protected update was aggregated`)
      const update = p.hooks
        ? p.hooks.step(round, aggregate)
        : aggregate.weightedSum.map((v) => v / aggregate.examples)
      params = params.map((v, j) => v + (update[j] ?? 0))
      p.afterRound?.(round, aggregate)
      return {
        evaluation: p.evaluate(params),
        record: {
          accepted: aggregate.contributors.length,
          trainLoss:
            aggregate.contributors.reduce((s, c) => s + c.trainLoss * c.numExamples, 0) /
            aggregate.examples,
          excluded: [],
          dropped: aggregate.dropped,
          protectedBytesPerClient: aggregate.bytesPerClient,
        },
      }
    },
  }
}
