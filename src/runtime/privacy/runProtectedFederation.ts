import { MsflError } from '../../core/errors/msflError.ts'
import type { EventSink, RoundRecord } from '../../core/events/runEvent.ts'
import type { FitInstruction } from '../../core/fl/messages.ts'
import type { Strategy } from '../../core/fl/strategy.ts'
import type { Transport } from '../../core/ports/transport.ts'
import type { Rng } from '../../core/rng/rng.ts'
import {
  completeRun,
  type FederationResult,
  type RoundEvaluation,
  summarise,
} from '../runFederation.ts'
import type { ProtectedAggregate, UpdateProtection } from './updateProtection.ts'

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
  readonly emit: EventSink
  readonly now: () => number
}): Promise<
  Omit<FederationResult, 'history'> & { readonly history: readonly ProtectedRoundRecord[] }
> {
  let params = p.initialParams
  const history: ProtectedRoundRecord[] = []
  let final: RoundEvaluation | undefined
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
    const next = new Float64Array(params.length)
    for (let j = 0; j < next.length; j++)
      next[j] = params[j]! + aggregate.weightedSum[j]! / aggregate.examples
    params = next
    p.afterRound?.(round, aggregate)
    final = p.evaluate(params)
    const after = p.transport.stats()
    const record: ProtectedRoundRecord = {
      round,
      selected: plan.clients.length,
      accepted: aggregate.contributors.length,
      trainLoss:
        aggregate.contributors.reduce((s, c) => s + c.trainLoss * c.numExamples, 0) /
        aggregate.examples,
      test: summarise(final),
      excluded: [],
      bytesSent: after.bytesSent - before.bytesSent,
      bytesReceived: after.bytesReceived - before.bytesReceived,
      durationMs: p.now() - started,
      dropped: aggregate.dropped,
      protectedBytesPerClient: aggregate.bytesPerClient,
    }
    history.push(record)
    p.emit({ type: 'round-completed', runId: p.runId, at: p.now(), record })
  }
  return { params, history, final: completeRun(p, final) }
}
