import { describeZodError } from '../core/errors/describeZodError.ts'
import { MsflError } from '../core/errors/msflError.ts'
import { createRunEmitter } from '../core/events/createRunEmitter.ts'
import type { EventSink, FederationRoundRecord, RoundRecord } from '../core/events/runEvent.ts'
import { clientMessageSchema, type FitInstruction, type FitResult } from '../core/fl/messages.ts'
import type { AggregateOutcome, Strategy } from '../core/fl/strategy.ts'
import { vectorDifference } from '../core/fl/vectorDifference.ts'
import type { Transport } from '../core/ports/transport.ts'
import type { Rng } from '../core/rng/rng.ts'
import type { RoundStages } from './roundStages.ts'
import type { StartTimer } from './rounds/collectReplies.ts'
import type { RoundEvaluation } from './rounds/roundEvaluation.ts'
import { closingWithParams, type FederationJournal } from './rounds/roundJournal.ts'
import { type RoundProtocol, runRounds } from './rounds/runRounds.ts'

export { type RoundEvaluation, summarise } from './rounds/roundEvaluation.ts'

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
  /** How long a client may take to answer a round's request (default ten minutes). */
  readonly deadlineMs?: number
  /** Fewest valid updates a round needs to go on; a round short of them fails (default 1). */
  readonly minAccepted?: number
  readonly startTimer?: StartTimer
  /**
   * The first round to run (default 1). A resumed run passes the model of the round before as
   * `initialParams` and an `rng` at the position that round left it.
   */
  readonly firstRound?: number
  /** Writes every step before it is acted on (msfl server --store); gets each round's model. */
  readonly journal?: FederationJournal
  readonly emit: EventSink
  /** Milliseconds; injected so tests and replays control time. */
  readonly now: () => number
}

/** The final global parameters, the record of every round and the final evaluation. */
export interface FederationResult {
  readonly params: Float64Array
  readonly history: readonly FederationRoundRecord[]
  /** Full metrics (confusion matrix, ROC) of the final global model. */
  readonly final: RoundEvaluation
}

/**
 * Plaintext federated training (FedAvg, FedSGD, any robust rule), the same whichever
 * transport carries the messages: the strategy plans each round and aggregates, the
 * optional stages (ADRM, SMPC verifier nodes, the model registry) screen, replace the
 * aggregation, review and publish, and the round driver does the rest.
 *
 * Example: a custom strategy (FedAvg with server momentum) driven by `runFederation`
 * (`examples/library/customStrategy.ts`, compiled and run by the package test):
 *
 * {@includeCode ../../examples/library/customStrategy.ts}
 */
export async function runFederation(p: RunFederationParameters): Promise<FederationResult> {
  const protocol = federationProtocol(p)
  const { journal, ...rest } = p
  const { history, final } = await runRounds({
    ...rest,
    protocol,
    ...(journal ? { journal: closingWithParams(journal, () => protocol.params()) } : {}),
  })
  return { params: protocol.params(), history, final }
}

type FederationRecordFields = Omit<FederationRoundRecord, keyof RoundRecord>

function federationProtocol(
  p: RunFederationParameters,
): RoundProtocol<FitResult, FederationRecordFields> & { params(): Float64Array } {
  const event = createRunEmitter(p)
  let params = p.initialParams
  let instruction: FitInstruction | undefined
  return {
    names: { participant: 'client', update: 'update' },
    params: () => params,
    // Round 0 is the initial model: published first, so participants can check round 1's.
    open: async () => p.stages?.publish?.(0, params, []),
    async plan(round) {
      const available = p.stages?.available?.(round, p.clients) ?? p.clients
      const planned = p.strategy.configureRound(round, available, p.rng)
      const sent: FitInstruction = {
        type: 'fit',
        runId: p.runId,
        round,
        mode: planned.mode,
        params,
        training: planned.training,
        ...(planned.control ? { control: planned.control } : {}),
      }
      instruction = sent
      const omniscient = p.omniscient
      const start = params
      return {
        participants: planned.clients,
        message: () => sent,
        ...(omniscient
          ? {
              last: {
                participants: omniscient.attackers,
                observe: (accepted) => {
                  const honest = accepted.map(({ update }) =>
                    planned.mode === 'params'
                      ? vectorDifference(update.vector, start)
                      : update.vector,
                  )
                  const attackers = planned.clients.filter((c) => omniscient.attackers.has(c))
                  omniscient.observe(round, honest, planned.clients.length, attackers.length)
                },
              },
            }
          : {}),
      }
    },
    check(round, clientId, reply) {
      const verdict = checkReply(reply, clientId, round, instruction!)
      if ('reason' in verdict) return verdict
      const { numExamples, trainLoss } = verdict.result
      return { update: verdict.result, received: { numExamples, trainLoss } }
    },
    async finish(round, acceptedUpdates, plan) {
      const accepted = acceptedUpdates.map((a) => a.update)
      const screened = p.stages?.screen
        ? await p.stages.screen(round, params, accepted)
        : { accepted, excluded: [] }
      const shortfall = {
        planned: plan.participants.length,
        received: accepted.length,
        screened: accepted.length - screened.accepted.length,
      }
      // Every update set aside by the screen: the model stays as it was this round. (An
      // empty plan still aggregates: client-level DP must release the noise alone.)
      const aggregated =
        screened.accepted.length === 0 && accepted.length > 0
          ? { params: Float64Array.from(params), excluded: [] }
          : p.stages?.aggregate
            ? await p.stages.aggregate(round, params, screened.accepted)
            : aggregateWhatRemains(p.strategy, round, params, screened.accepted, shortfall)
      const robustness = 'robustness' in aggregated ? aggregated.robustness : undefined
      if (robustness && robustness.n < shortfall.planned)
        event('robust-rule-adjusted', {
          round,
          rule: p.strategy.name,
          ...shortfall,
          ...robustness,
        })
      params = p.stages?.review
        ? await p.stages.review(round, params, aggregated.params)
        : aggregated.params
      const excludedByRule = new Set(aggregated.excluded)
      await p.stages?.publish?.(
        round,
        params,
        screened.accepted.filter((r) => !excludedByRule.has(r.clientId)),
      )
      for (const clientId of aggregated.excluded)
        event('update-excluded', { round, clientId, rule: p.strategy.name })
      const examples = accepted.reduce((s, r) => s + r.numExamples, 0)
      return {
        evaluation: p.evaluate(params),
        record: {
          trainLoss:
            examples > 0
              ? accepted.reduce((s, r) => s + r.trainLoss * r.numExamples, 0) / examples
              : 0,
          excluded: [...screened.excluded, ...aggregated.excluded],
          ...(aggregated.selectionShare ? { selectionShare: aggregated.selectionShare } : {}),
        },
      }
    },
  }
}

/**
 * The strategy's aggregation of the updates that remain after stragglers and the screen.
 * A rule that cannot hold its assumption on fewer updates fails the round with a message
 * that says how many were planned, received and set aside.
 */
function aggregateWhatRemains(
  strategy: Strategy,
  round: number,
  params: Float64Array,
  remaining: readonly FitResult[],
  shortfall: { readonly planned: number; readonly received: number; readonly screened: number },
): AggregateOutcome {
  try {
    return strategy.aggregate(round, params, remaining)
  } catch (error) {
    if (
      !(error instanceof MsflError) ||
      error.code !== 'CONFIG_INVALID' ||
      remaining.length === shortfall.planned
    )
      throw error
    throw new MsflError(
      'CONFIG_INVALID',
      `round ${round}: ${shortfall.received} of ${shortfall.planned} updates arrived and the screen set ${shortfall.screened} aside; on the ${remaining.length} left, ${error.message}`,
    )
  }
}

type Verdict = { result: FitResult } | { reason: string }

function checkReply(
  reply: unknown,
  clientId: string,
  round: number,
  instruction: FitInstruction,
): Verdict {
  const { mode } = instruction
  const length = instruction.params.length
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
  const delta = message.controlDelta
  if (instruction.control === undefined)
    return delta === undefined
      ? { result: message }
      : { reason: 'reply carries controlDelta, but the round sent no control variate' }
  if (delta === undefined)
    return { reason: 'reply carries no controlDelta, but the round sent a control variate' }
  if (delta.length !== length)
    return { reason: `controlDelta has ${delta.length} values, expected ${length}` }
  for (let j = 0; j < delta.length; j++)
    if (!Number.isFinite(delta[j]!)) return { reason: `controlDelta[${j}] is ${delta[j]}` }
  return { result: message }
}
