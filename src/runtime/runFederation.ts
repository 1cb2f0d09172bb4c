import { MsflError } from '../core/errors/msflError.ts'
import type { EventSink, MetricSummary, RoundRecord } from '../core/events/runEvent.ts'
import {
  clientMessageSchema,
  describeZodError,
  type FitInstruction,
  type FitResult,
} from '../core/fl/messages.ts'
import type { Strategy } from '../core/fl/strategy.ts'
import { vectorDifference } from '../core/fl/vectorDifference.ts'
import type { EvaluationMetrics } from '../core/metrics/evaluateModel.ts'
import type { Transport } from '../core/ports/transport.ts'
import type { Rng } from '../core/rng/rng.ts'
import type { RoundStages } from './roundStages.ts'

/**
 * Everything `runFederation` drives: the strategy, the transport, the clients, rounds, initial
 * parameters, evaluation, randomness, optional defence stages, the event sink and the clock.
 */
export interface RunFederationParameters {
  readonly runId: string
  readonly strategy: Strategy
  readonly transport: Transport
  readonly clients: readonly string[]
  readonly rounds: number
  readonly initialParams: Float64Array
  /** Held-out evaluation of global parameters, run after every round. */
  readonly evaluate: (params: Float64Array) => RoundEvaluation
  /** Drives client sampling. */
  readonly rng: Rng
  /**
   * Simulation only: attackers answer after the honest clients, once `observe` has
   * shown them the honest updates of the round (the omniscient threat model).
   */
  readonly omniscient?: {
    readonly attackers: ReadonlySet<string>
    /** Shows the attackers the honest updates of the round before they answer. */
    observe(
      round: number,
      honestUpdates: readonly Float64Array[],
      participants: number,
      attackers: number,
    ): void
  }
  /** Defences and verification around aggregation (ADRM, SMPC verifier nodes, the model registry). */
  readonly stages?: RoundStages
  readonly emit: EventSink
  /** Milliseconds; injected so tests and replays control time. */
  readonly now: () => number
}

/** The final global parameters, the record of every round and the final evaluation. */
export interface FederationResult {
  readonly params: Float64Array
  readonly history: readonly RoundRecord[]
  /** Full metrics (confusion matrix, ROC) of the final global model. */
  readonly final: RoundEvaluation
}

/**
 * The round loop of plaintext federated training, the same whichever transport
 * carries the messages: plan (strategy), send and collect (transport), validate
 * every reply, aggregate (strategy), evaluate, and report each step as an event.
 *
 * Example: a custom strategy (FedAvg with server momentum) driven by `runFederation`
 * (`examples/library/customStrategy.ts`, compiled and run by the package test):
 *
 * {@includeCode ../../examples/library/customStrategy.ts}
 */
export async function runFederation(p: RunFederationParameters): Promise<FederationResult> {
  let params = p.initialParams
  const history: RoundRecord[] = []
  let final: RoundEvaluation | undefined
  // Round 0 is the initial model: published first, so participants can check round 1's.
  await p.stages?.publish?.(0, params, [])

  for (let round = 1; round <= p.rounds; round++) {
    const started = p.now()
    const before = p.transport.stats()
    const available = p.stages?.available?.(round, p.clients) ?? p.clients
    const plan = p.strategy.configureRound(round, available, p.rng)
    p.emit({ type: 'round-started', runId: p.runId, at: started, round, clients: plan.clients })

    const instruction: FitInstruction = {
      type: 'fit',
      runId: p.runId,
      round,
      mode: plan.mode,
      params,
      training: plan.training,
    }
    const accepted: FitResult[] = []
    const collect = async (clients: readonly string[]) => {
      const replies = await Promise.all(
        clients.map((clientId) =>
          p.transport.request(clientId, instruction).then(
            (reply) => ({ clientId, reply }),
            (error: unknown) => ({ clientId, error }),
          ),
        ),
      )
      for (const outcome of replies) {
        const verdict =
          'error' in outcome
            ? { reason: `unreachable: ${errorText(outcome.error)}` }
            : checkReply(outcome.reply, outcome.clientId, round, plan.mode, params.length)
        if ('reason' in verdict) {
          p.emit({
            type: 'update-rejected',
            runId: p.runId,
            at: p.now(),
            round,
            clientId: outcome.clientId,
            reason: verdict.reason,
          })
          continue
        }
        accepted.push(verdict.result)
        p.emit({
          type: 'update-received',
          runId: p.runId,
          at: p.now(),
          round,
          clientId: verdict.result.clientId,
          numExamples: verdict.result.numExamples,
          trainLoss: verdict.result.trainLoss,
        })
      }
    }
    const omniscient = p.omniscient
    if (omniscient) {
      const attackers = plan.clients.filter((c) => omniscient.attackers.has(c))
      await collect(plan.clients.filter((c) => !omniscient.attackers.has(c)))
      const honest = accepted.map((r) =>
        plan.mode === 'params' ? vectorDifference(r.vector, params) : r.vector,
      )
      omniscient.observe(round, honest, plan.clients.length, attackers.length)
      await collect(attackers)
    } else {
      await collect(plan.clients)
    }
    // A round planned without clients (client-level DP's Poisson sampling) still
    // aggregates: it releases the noise alone. Selected clients that all failed do not.
    if (accepted.length === 0 && plan.clients.length > 0)
      throw new MsflError('PROTOCOL', `round ${round}: no client returned a valid update`)

    const screened = p.stages?.screen
      ? await p.stages.screen(round, params, accepted)
      : { accepted, excluded: [] }
    // Every update set aside by the screen: the model stays as it was this round. (An
    // empty plan still aggregates: client-level DP must release the noise alone.)
    const aggregated =
      screened.accepted.length === 0 && accepted.length > 0
        ? { params: Float64Array.from(params), excluded: [] }
        : p.stages?.aggregate
          ? await p.stages.aggregate(round, params, screened.accepted)
          : p.strategy.aggregate(round, params, screened.accepted)
    const outcome = {
      ...aggregated,
      excluded: [...screened.excluded, ...aggregated.excluded],
    }
    params = p.stages?.review
      ? await p.stages.review(round, params, outcome.params)
      : outcome.params
    const excludedByRule = new Set(aggregated.excluded)
    await p.stages?.publish?.(
      round,
      params,
      screened.accepted.filter((r) => !excludedByRule.has(r.clientId)),
    )
    for (const clientId of aggregated.excluded)
      p.emit({
        type: 'update-excluded',
        runId: p.runId,
        at: p.now(),
        round,
        clientId,
        rule: p.strategy.name,
      })
    final = p.evaluate(params)
    const after = p.transport.stats()
    const examples = accepted.reduce((s, r) => s + r.numExamples, 0)
    const record: RoundRecord = {
      round,
      selected: plan.clients.length,
      accepted: accepted.length,
      trainLoss:
        examples > 0 ? accepted.reduce((s, r) => s + r.trainLoss * r.numExamples, 0) / examples : 0,
      test: summarise(final),
      excluded: outcome.excluded,
      ...(outcome.selectionShare ? { selectionShare: outcome.selectionShare } : {}),
      bytesSent: after.bytesSent - before.bytesSent,
      bytesReceived: after.bytesReceived - before.bytesReceived,
      durationMs: p.now() - started,
    }
    history.push(record)
    p.emit({ type: 'round-completed', runId: p.runId, at: p.now(), record })
  }
  return { params, history, final: completeRun(p, final) }
}

/** The end of every round loop: at least one round ran, and run-completed is emitted. */
export function completeRun(
  p: {
    readonly runId: string
    readonly rounds: number
    readonly emit: EventSink
    readonly now: () => number
  },
  final: RoundEvaluation | undefined,
): RoundEvaluation {
  if (!final) throw new MsflError('CONFIG_INVALID', 'rounds: must be at least 1')
  p.emit({
    type: 'run-completed',
    runId: p.runId,
    at: p.now(),
    rounds: p.rounds,
    final: summarise(final),
  })
  return final
}

type Verdict = { result: FitResult } | { reason: string }

function checkReply(
  reply: unknown,
  clientId: string,
  round: number,
  mode: 'params' | 'gradient',
  length: number,
): Verdict {
  const parsed = clientMessageSchema.safeParse(reply)
  if (!parsed.success) return { reason: `malformed reply: ${describeZodError(parsed.error)}` }
  const message = parsed.data
  if (message.type === 'error') return { reason: `client error: ${message.message}` }
  if (message.clientId !== clientId)
    return { reason: `reply claims to come from ${JSON.stringify(message.clientId)}` }
  if (message.round !== round)
    return { reason: `reply is for round ${message.round}, expected ${round}` }
  if (message.kind !== mode) return { reason: `reply carries ${message.kind}, expected ${mode}` }
  if (message.vector.length !== length)
    return { reason: `vector has ${message.vector.length} values, expected ${length}` }
  for (let j = 0; j < message.vector.length; j++)
    if (!Number.isFinite(message.vector[j]!))
      return { reason: `vector[${j}] is ${message.vector[j]}` }
  if (!Number.isFinite(message.trainLoss)) return { reason: `trainLoss is ${message.trainLoss}` }
  return { result: message }
}

/** Evaluation of the global model, plus the attack metrics when an attack is simulated. */
export type RoundEvaluation = EvaluationMetrics & {
  readonly attackSuccessRate?: number
  readonly flippedClassRecall?: number
}

const SCALAR_METRICS = [
  'loss',
  'accuracy',
  'precision',
  'recall',
  'f1',
  'auc',
  'rmse',
  'attackSuccessRate',
  'flippedClassRecall',
] as const

/** The scalar metrics of an evaluation (what events, logs and round records carry). */
export function summarise(metrics: RoundEvaluation): MetricSummary {
  const entries = SCALAR_METRICS.flatMap((key) =>
    metrics[key] === undefined ? [] : [[key, metrics[key]] as const],
  )
  return Object.fromEntries(entries) as unknown as MetricSummary
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
