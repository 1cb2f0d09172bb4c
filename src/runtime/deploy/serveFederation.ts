import type { Dataset } from '../../core/data/dataset.ts'
import { applyFeatureScaling, type FeatureScalingPlan } from '../../core/data/featureScaling.ts'
import { dataDescriptionSchema } from '../../core/deploy/deploymentMessages.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import { createRunEmitter, reportRunFailure } from '../../core/events/createRunEmitter.ts'
import type { EventSink } from '../../core/events/runEvent.ts'
import { createModel } from '../../core/model/createModel.ts'
import type { Model } from '../../core/model/model.ts'
import type { SecaggCrypto } from '../../core/ports/secaggCrypto.ts'
import type { ProtocolMessage, Transport } from '../../core/ports/transport.ts'
import type { Rng } from '../../core/rng/rng.ts'
import { createSeededRng, deriveSeed } from '../../core/rng/seededRng.ts'
import type { PlainRunPlan } from '../config/planRun.ts'
import { createEvaluation } from '../createEvaluation.ts'
import { createStrategy } from '../createStrategy.ts'
import { resolveModelSpec } from '../resolveModelSpec.ts'
import { collectReplies } from '../rounds/collectReplies.ts'
import { type FederationResult, runFederation } from '../runFederation.ts'
import { agreeFeatureScaling } from '../scaling/agreeFeatureScaling.ts'

/** What the service provider of a deployed FedAvg job needs: the plan, the owners, the transport. */
export interface ServeFederationParameters {
  readonly runId: string
  /** The job: the plain engine (FedAvg or FedSGD, any robust rule), no attacks. */
  readonly plan: PlainRunPlan
  /** The owners' node ids, in the job's order (the order sampling and aggregation use). */
  readonly owners: readonly string[]
  /** Reaches every owner (and the requestor, when there is one). */
  readonly transport: Transport
  /** The provider's held-out test rows, encoded with the job's schema, not yet scaled. */
  readonly test: Dataset
  /** The job's numeric features to standardise (absent when none are). */
  readonly scaling: FeatureScalingPlan | undefined
  readonly crypto: SecaggCrypto
  /**
   * Randomness of the aggregation rule (bucketing's buckets, FLAME's noise): the CSPRNG, so
   * no owner can predict which bucket it lands in or which noise it could cancel.
   */
  readonly aggregationRng: Rng
  /** The requestor's node id: it receives the final model. */
  readonly requestor?: string
  readonly emit: EventSink
  readonly now: () => number
}

/** The federation's result and the model it trained. */
export interface ServedFederation extends FederationResult {
  readonly model: Model
}

/**
 * The service provider's side of a deployed FedAvg job, on the code a simulation runs:
 * it asks each owner its row count, runs the scaling agreement (agreeFeatureScaling),
 * then the rounds (runFederation) with the seeds `runSimulation` derives, so the same
 * job gives the same model in one process and across processes; it delivers the model
 * to the requestor and tells every participant the run is over, also when it failed.
 */
export async function serveFederation(p: ServeFederationParameters): Promise<ServedFederation> {
  const { plan, runId, owners } = p
  const { basics } = plan
  if (plan.defences)
    throw new MsflError(
      'CONFIG_INVALID',
      'defence/verify: a deployed job runs the plain engine only; use msfl simulate for defences',
    )
  if (owners.length !== basics.clients)
    throw new MsflError(
      'CONFIG_INVALID',
      `clients: the job has ${basics.clients} owners, ${owners.length} were named`,
    )
  const event = createRunEmitter(p)
  const model = createModel(resolveModelSpec(basics.model, p.test))
  const participants = p.requestor ? [...owners, p.requestor] : owners
  try {
    const rows = await describeOwners(p)
    let test = p.test
    if (p.scaling && p.scaling.features.length > 0) {
      const agreement = await agreeFeatureScaling({
        session: `${runId}/feature-statistics`,
        transport: p.transport,
        owners,
        plan: p.scaling,
        maxRows: Math.max(...rows),
        threshold: Math.floor(owners.length / 2) + 1,
        crypto: p.crypto,
        stageTimeoutMs: basics.deadlineMs,
      })
      test = applyFeatureScaling(test, p.scaling, agreement.scaling)
    }
    const strategy = createStrategy(
      plan.engine,
      { clients: basics.clients, numParams: model.numParams },
      p.aggregationRng,
    )
    event('run-started', {
      dataset: basics.dataset,
      model: basics.model,
      strategy: strategy.name,
      clients: basics.clients,
      rounds: basics.rounds,
      numParams: model.numParams,
      trainRows: rows.reduce((a, b) => a + b, 0),
      testRows: test.n,
      attackers: {},
    })
    const result = await runFederation({
      runId,
      strategy,
      transport: p.transport,
      clients: owners,
      rounds: basics.rounds,
      initialParams: model.init(createSeededRng(deriveSeed(basics.seed, 'init'))),
      evaluate: createEvaluation(model, { train: test, test, description: '' }, new Map()),
      rng: createSeededRng(deriveSeed(basics.seed, 'sampling')),
      deadlineMs: basics.deadlineMs,
      emit: p.emit,
      now: p.now,
    })
    if (p.requestor) await deliverModel(p, p.requestor, result)
    await announceEnd(p, participants, 'completed', 'the run completed')
    return { ...result, model }
  } catch (error) {
    reportRunFailure(event, error)
    const reason = error instanceof Error ? error.message : String(error)
    await announceEnd(p, participants, 'failed', reason.slice(0, 2000))
    throw error
  }
}

/** Every owner's row count; an owner that does not answer fails the run before round 1. */
async function describeOwners(p: ServeFederationParameters): Promise<number[]> {
  const request: ProtocolMessage = { type: 'describe-data', runId: p.runId }
  const outcomes = await collectReplies(p.transport, new Map(p.owners.map((o) => [o, request])), {
    deadlineMs: p.plan.basics.deadlineMs,
  })
  return outcomes.map((outcome) => {
    const id = outcome.clientId
    if (!('reply' in outcome))
      throw new MsflError(
        'PROTOCOL',
        `owner ${id} did not describe its data (${'failure' in outcome ? outcome.failure : 'no answer by the deadline'})`,
      )
    const parsed = dataDescriptionSchema.safeParse(outcome.reply)
    if (!parsed.success || parsed.data.clientId !== id || parsed.data.runId !== p.runId)
      throw new MsflError('PROTOCOL', `owner ${id} answered describe-data with something else`)
    return parsed.data.rows
  })
}

async function deliverModel(
  p: ServeFederationParameters,
  requestor: string,
  result: FederationResult,
): Promise<void> {
  const reply = await p.transport.request(
    requestor,
    {
      type: 'deliver-model',
      runId: p.runId,
      model: p.plan.basics.model,
      params: result.params,
      rounds: result.history.length,
      ...(result.final.accuracy !== undefined ? { accuracy: result.final.accuracy } : {}),
    },
    { deadlineMs: p.plan.basics.deadlineMs },
  )
  if ((reply as { type?: unknown } | null)?.type !== 'model-received')
    throw new MsflError(
      'PROTOCOL',
      `the requestor ${requestor} did not take the model: ${String((reply as { message?: unknown } | null)?.message ?? 'no receipt')}`,
    )
}

/** Best effort: a participant that is gone already cannot be told, and the run's outcome stands. */
async function announceEnd(
  p: ServeFederationParameters,
  participants: readonly string[],
  outcome: 'completed' | 'failed',
  message: string,
): Promise<void> {
  const request: ProtocolMessage = { type: 'run-ended', runId: p.runId, outcome, message }
  await collectReplies(p.transport, new Map(participants.map((id) => [id, request])), {
    deadlineMs: Math.min(p.plan.basics.deadlineMs, 30_000),
  })
}
