import { MsflError } from '../../core/errors/msflError.ts'
import type { EventSink, RoundRecord } from '../../core/events/runEvent.ts'
import type { FitInstruction } from '../../core/fl/messages.ts'
import type { Strategy } from '../../core/fl/strategy.ts'
import type { Transport, TransportStats } from '../../core/ports/transport.ts'
import type { Rng } from '../../core/rng/rng.ts'
import {
  completeRun,
  type FederationResult,
  type RoundEvaluation,
  summarise,
} from '../runFederation.ts'
import type { ProtectedAggregate, UpdateProtection } from './updateProtection.ts'

/**
 * Replaces FedAvg's step for client-level DP (createClientLevelRun): `admits` sees the
 * round's replies before the protection combines them and may drop the round (too few
 * noise shares: nothing is summed, unmasked or decrypted, the model stays put); `step`
 * turns the aggregate into the update added to the global model (noise, the fixed
 * denominator q·K, accounting) instead of Σ nᵢ·Δᵢ / Σ nᵢ.
 */
export interface ProtectedRoundHooks {
  admits(round: number, replies: readonly { readonly clientId: string; reply: unknown }[]): boolean
  step(round: number, aggregate: ProtectedAggregate): Float64Array
}

export interface ProtectedRoundRecord extends RoundRecord {
  readonly dropped: readonly string[]
  readonly protectedBytesPerClient: number
}

/**
 * FedAvg with protected updates (SPEC C5): the strategy plans each round and sends the
 * global parameters, every client answers through its protection wrapper, and the
 * protection's server stage returns only Σ nᵢ·Δᵢ and Σ nᵢ, from which the global model
 * moves by their ratio. The server never holds an individual update, so robust rules
 * (which need them) cannot run here; the caller refuses that combination.
 */
export async function runProtectedFederation(p: {
  readonly runId: string
  readonly strategy: Strategy
  readonly protection: UpdateProtection
  readonly transport: Transport
  readonly clients: readonly string[]
  readonly rounds: number
  readonly initialParams: Float64Array
  readonly evaluate: (params: Float64Array) => RoundEvaluation
  readonly rng: Rng
  /** Told after each round (e.g. to account privacy); may throw to stop the run. */
  readonly afterRound?: (round: number, aggregate: ProtectedAggregate) => void
  /** Client-level DP: which rounds may be combined, and the step instead of FedAvg's. */
  readonly hooks?: ProtectedRoundHooks
  readonly emit: EventSink
  readonly now: () => number
}): Promise<
  Omit<FederationResult, 'history'> & { readonly history: readonly ProtectedRoundRecord[] }
> {
  let params = p.initialParams
  const history: ProtectedRoundRecord[] = []
  let final: RoundEvaluation | undefined
  /** A round's record as if it released nothing; a released round overrides the outcome. */
  const roundRecord = (
    round: number,
    clients: readonly string[],
    before: TransportStats,
    started: number,
    evaluation: RoundEvaluation,
  ): ProtectedRoundRecord => {
    const after = p.transport.stats()
    return {
      round,
      selected: clients.length,
      accepted: 0,
      trainLoss: 0,
      test: summarise(evaluation),
      excluded: [...clients],
      bytesSent: after.bytesSent - before.bytesSent,
      bytesReceived: after.bytesReceived - before.bytesReceived,
      durationMs: p.now() - started,
      dropped: [],
      protectedBytesPerClient: 0,
    }
  }
  for (let round = 1; round <= p.rounds; round++) {
    const started = p.now()
    const before = p.transport.stats()
    const plan = p.strategy.configureRound(round, p.clients, p.rng)
    if (plan.mode !== 'params')
      throw new MsflError('CONFIG_INVALID', 'strategy: protected updates need fedavg')
    p.emit({ type: 'round-started', runId: p.runId, at: started, round, clients: plan.clients })
    const instruction: FitInstruction = {
      type: 'fit',
      runId: p.runId,
      round,
      mode: plan.mode,
      params,
      training: plan.training,
    }
    const replies = await Promise.all(
      plan.clients.map((clientId) =>
        p.transport.request(clientId, instruction).then(
          (reply) => ({ clientId, reply }),
          (error: unknown) => ({
            clientId,
            reply: { type: 'error', clientId, message: `unreachable: ${String(error)}` },
          }),
        ),
      ),
    )
    if (p.hooks && !p.hooks.admits(round, replies)) {
      // Dropped before anything is combined: the round releases nothing.
      for (const clientId of plan.clients)
        p.emit({
          type: 'update-excluded',
          runId: p.runId,
          at: p.now(),
          round,
          clientId,
          rule: p.strategy.name,
        })
      final = p.evaluate(params)
      const record = roundRecord(round, plan.clients, before, started, final)
      history.push(record)
      p.emit({ type: 'round-completed', runId: p.runId, at: p.now(), record })
      continue
    }
    const aggregate = await p.protection.aggregate({ round, params, replies }, p.transport)
    for (const { clientId, reason } of aggregate.rejected)
      p.emit({ type: 'update-rejected', runId: p.runId, at: p.now(), round, clientId, reason })
    for (const c of aggregate.contributors)
      p.emit({
        type: 'update-received',
        runId: p.runId,
        at: p.now(),
        round,
        clientId: c.clientId,
        numExamples: c.numExamples,
        trainLoss: c.trainLoss,
      })
    if (!(aggregate.examples > 0))
      throw new MsflError('PROTOCOL', `round ${round}: no protected update was aggregated`)
    const update = p.hooks
      ? p.hooks.step(round, aggregate)
      : aggregate.weightedSum.map((v) => v / aggregate.examples)
    const next = new Float64Array(params.length)
    for (let j = 0; j < next.length; j++) next[j] = params[j]! + update[j]!
    params = next
    p.afterRound?.(round, aggregate)
    final = p.evaluate(params)
    const record: ProtectedRoundRecord = {
      ...roundRecord(round, plan.clients, before, started, final),
      accepted: aggregate.contributors.length,
      trainLoss:
        aggregate.contributors.reduce((s, c) => s + c.trainLoss * c.numExamples, 0) /
        aggregate.examples,
      excluded: [],
      dropped: aggregate.dropped,
      protectedBytesPerClient: aggregate.bytesPerClient,
    }
    history.push(record)
    p.emit({ type: 'round-completed', runId: p.runId, at: p.now(), record })
  }
  return { params, history, final: completeRun(p, final) }
}
