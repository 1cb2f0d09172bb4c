import type { Dataset } from '../../core/data/dataset.ts'
import type { FeatureScalingPlan } from '../../core/data/featureScaling.ts'
import { dataDescriptionSchema } from '../../core/deploy/deploymentMessages.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import { createRunEmitter, reportRunFailure } from '../../core/events/createRunEmitter.ts'
import type {
  EventSink,
  FederationRoundRecord,
  ProtectedRoundRecord,
} from '../../core/events/runEvent.ts'
import { createModel } from '../../core/model/createModel.ts'
import type { Model } from '../../core/model/model.ts'
import type { SecaggCrypto } from '../../core/ports/secaggCrypto.ts'
import type { ProtocolMessage, Transport } from '../../core/ports/transport.ts'
import { KEY_HOLDER_ID, type KeyHolderPublic } from '../../core/privacy/keyHolderMessages.ts'
import type { Rng } from '../../core/rng/rng.ts'
import { createSeededRng, deriveSeed } from '../../core/rng/seededRng.ts'
import type { FederatedRunPlan } from '../config/planRun.ts'
import { createEvaluation } from '../createEvaluation.ts'
import { createStrategy } from '../createStrategy.ts'
import type { RunJournal } from '../orchestrator/openRunJournal.ts'
import { startJournaledRun } from '../orchestrator/startJournaledRun.ts'
import { resolveModelSpec } from '../resolveModelSpec.ts'
import type { RoundStages } from '../roundStages.ts'
import { collectReplies } from '../rounds/collectReplies.ts'
import type { RoundEvaluation } from '../rounds/roundEvaluation.ts'
import { runFederation } from '../runFederation.ts'
import { verifierNodeIds } from '../smpc/verifyAndAggregate.ts'
import {
  type DeployedVerification,
  deployedVerify,
  verificationStage,
} from './deployedVerification.ts'
import {
  type DeployedAdrmAdapters,
  type DeployedAdrmSummary,
  openJobAdrm,
} from './openDeployedAdrm.ts'
import { type DeployedDpSummary, openProviderDp } from './openProviderDp.ts'
import { scaleServerData } from './scaleServerData.ts'
import { serveProtectedJob } from './serveProtectedJob.ts'
import { deployedProtection, type OpenDeployedProtection } from './serveProtectedRounds.ts'

/** What the service provider of a deployed FedAvg job needs: the plan, the owners, the transport. */
export interface ServeFederationParameters {
  readonly runId: string
  /**
   * The job: the plain engine (FedAvg or FedSGD, any robust rule) or with `privacy`
   * (secagg, ckks, paillier, dp at either level, or dp joined with one of them), no attacks.
   */
  readonly plan: FederatedRunPlan
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
  /**
   * `privacy: dp…`: the provider's CSPRNG (a fresh Rng per call) for client-level DP's
   * secret client sampling and central noise; owners draw their own noise.
   */
  readonly noiseRng?: () => Rng
  /** The requestor's node id: it receives the final model. */
  readonly requestor?: string
  /** A protected job's protections (cli/privacy/deployedProtection.ts) and the key holder check. */
  readonly protection?: {
    readonly open: OpenDeployedProtection
    readonly checkKeyHolder: (publicKey: KeyHolderPublic) => void
  }
  /** The job's `verify: smpc`: the verifier nodes are processes of their own. */
  readonly verification?: DeployedVerification
  /** The job's `defence: adrm`: the provider screens, the requestor pays on the run's chain. */
  readonly adrm?: DeployedAdrmAdapters
  readonly emit: EventSink
  readonly now: () => number
  /**
   * Told once the feature scaling is known, with how to give it to an owner that joins later
   * (a restarted owner process, which took no part in the agreement).
   */
  readonly onScalingKnown?: (announce: (owner: string) => Promise<void>) => void
  /**
   * A protected job: told once every owner accepted the protection terms, with how to give
   * them to an owner that joins later (a restarted owner process).
   */
  readonly onProtectionKnown?: (announce: (owner: string) => Promise<void>) => void
  /** The run's durable journal (msfl server --store): a restarted server resumes from it. */
  readonly journal?: RunJournal
}

/** The federation's result and the model it trained. */
export interface ServedFederation {
  readonly params: Float64Array
  readonly history: readonly (FederationRoundRecord | ProtectedRoundRecord)[]
  readonly final: RoundEvaluation
  readonly model: Model
  /** `privacy: dp…`: the (ε, δ) spent, as the owners (sample level) or its accountant counted it. */
  readonly privacy?: DeployedDpSummary & { readonly spec: string }
  /** `defence: adrm`: what ADRM decided and what the chain paid. */
  readonly defence?: DeployedAdrmSummary
}

/**
 * The service provider's side of a deployed FedAvg job, on the code a simulation runs:
 * it asks each owner its row count, runs the scaling agreement (agreeFeatureScaling),
 * then the rounds (runFederation) with the seeds `runSimulation` derives, so the same
 * job gives the same model in one process and across processes; it delivers the model
 * to the requestor and tells every participant the run is over, also when it failed.
 * With `privacy: dp…` the owners draw their own noise (openOwnerDp) and the provider runs
 * only DP's provider side (openProviderDp): the same job spends the same ε as in one
 * process, and its model agrees within the noise.
 */
export async function serveFederation(p: ServeFederationParameters): Promise<ServedFederation> {
  const { plan, runId, owners } = p
  const { basics } = plan
  const verify = deployedVerify(plan, p.verification)
  if (plan.protocol === 'protected') deployedProtection(plan)
  if (owners.length !== basics.clients)
    throw new MsflError(
      'CONFIG_INVALID',
      `clients: the job has ${basics.clients} owners, ${owners.length} were named`,
    )
  const event = createRunEmitter(p)
  const model = createModel(resolveModelSpec(basics.model, p.test))
  const verifiers = verify ? verifierNodeIds(verify.nodes) : []
  const hiding = plan.protocol === 'protected' ? plan.privacy.hiding : undefined
  const keyHolder = hiding && hiding.name !== 'secagg' ? [KEY_HOLDER_ID] : []
  const participants = [
    ...owners,
    ...(p.requestor ? [p.requestor] : []),
    ...verifiers,
    ...keyHolder,
  ]
  try {
    const dp =
      plan.protocol === 'protected' && plan.privacy.dp
        ? openProviderDp({ plan, dp: plan.privacy.dp, owners, noiseRng: requiredNoise(p.noiseRng) })
        : undefined
    const rows = await describeOwners(p)
    const { test, validation } = await scaleServerData(p, rows, dp?.scaleByRanges ?? false)
    const adrm = await openJobAdrm(p, model, validation)
    const stages = joinStages(
      verify && validation && p.verification
        ? verificationStage(p, verify, verifiers, model, validation, p.verification)
        : undefined,
      adrm?.stages,
    )
    const strategy =
      dp?.clientLevel?.strategy ??
      createStrategy(
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
    const initialParams = model.init(createSeededRng(deriveSeed(basics.seed, 'init')))
    // Client-level DP samples clients secretly: amplification assumes nobody can predict it.
    const rng = dp?.clientLevel
      ? requiredNoise(p.noiseRng)()
      : createSeededRng(deriveSeed(basics.seed, 'sampling'))
    const shared = {
      runId,
      strategy,
      transport: p.transport,
      evaluate: createEvaluation(model, { train: test, test, description: '' }, new Map()),
      emit: p.emit,
      now: p.now,
    }
    let result: Omit<ServedFederation, 'model'>
    if (plan.protocol === 'protected') {
      result = await serveProtectedJob(p, plan, dp, { ...shared, initialParams, rng, rows })
    } else {
      const resumed = p.journal
        ? await startJournaledRun(p.journal, { strategy, owners, initialParams, rng })
        : { initialParams, rng }
      const rounds = await runFederation({
        ...shared,
        ...resumed,
        clients: owners,
        rounds: basics.rounds,
        ...(stages ? { stages } : {}),
        deadlineMs: basics.deadlineMs,
      })
      const before = p.journal?.resume?.history ?? []
      result = { ...rounds, history: [...before, ...rounds.history] as typeof rounds.history }
    }
    if (adrm) result = { ...result, defence: await adrm.summary() }
    if (p.requestor) await deliverModel(p, p.requestor, result)
    await announceEnd(p, participants, 'completed', 'the run completed')
    return { ...result, model }
  } catch (error) {
    reportRunFailure(event, error)
    const reason = error instanceof Error ? error.message : String(error)
    await p.journal?.fail(reason)
    await announceEnd(p, participants, 'failed', reason.slice(0, 2000))
    throw error
  }
}

function requiredNoise(noiseRng: (() => Rng) | undefined): () => Rng {
  if (!noiseRng)
    throw new MsflError('CONFIG_INVALID', 'privacy: the provider was given no CSPRNG for DP')
  return noiseRng
}

/** The verification's aggregation and ADRM's screen, review and ledger, as one set of stages. */
function joinStages(
  verification: RoundStages | undefined,
  adrm: RoundStages | undefined,
): RoundStages | undefined {
  if (!verification) return adrm
  if (!adrm) return verification
  return { ...adrm, ...verification }
}

/** What the provider needs to ask its participants something: the run, who, how, how long. */
export type ProviderRequests = Pick<ServeFederationParameters, 'runId' | 'owners' | 'transport'> & {
  readonly plan: { readonly basics: { readonly deadlineMs: number } }
}

/** Every owner's row count; an owner that does not answer fails the run before round 1. */
export async function describeOwners(p: ProviderRequests): Promise<number[]> {
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
  result: Omit<ServedFederation, 'model'>,
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
      ...(result.privacy
        ? { privacy: { epsilon: result.privacy.epsilon, delta: result.privacy.delta } }
        : {}),
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
export async function announceEnd(
  p: ProviderRequests,
  participants: readonly string[],
  outcome: 'completed' | 'failed',
  message: string,
): Promise<void> {
  const request: ProtocolMessage = { type: 'run-ended', runId: p.runId, outcome, message }
  await collectReplies(p.transport, new Map(participants.map((id) => [id, request])), {
    deadlineMs: Math.min(p.plan.basics.deadlineMs, 30_000),
  })
}
