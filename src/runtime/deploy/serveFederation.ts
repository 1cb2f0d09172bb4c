import type { Dataset } from '../../core/data/dataset.ts'
import {
  applyFeatureScaling,
  type FeatureScalingPlan,
  rangeScaling,
} from '../../core/data/featureScaling.ts'
import { dataDescriptionSchema } from '../../core/deploy/deploymentMessages.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import { createRunEmitter, reportRunFailure } from '../../core/events/createRunEmitter.ts'
import type {
  EventSink,
  FederationRoundRecord,
  ProtectedRoundRecord,
} from '../../core/events/runEvent.ts'
import type { Strategy } from '../../core/fl/strategy.ts'
import { createModel } from '../../core/model/createModel.ts'
import type { Model } from '../../core/model/model.ts'
import type { SecaggCrypto } from '../../core/ports/secaggCrypto.ts'
import type { MessageHandler, ProtocolMessage, Transport } from '../../core/ports/transport.ts'
import { KEY_HOLDER_ID, type KeyHolderPublic } from '../../core/privacy/keyHolderMessages.ts'
import type { Rng } from '../../core/rng/rng.ts'
import { createSeededRng, deriveSeed } from '../../core/rng/seededRng.ts'
import type { VerifyConfig } from '../../core/verification/parseVerifySpec.ts'
import type { FederatedRunPlan, ProtectedRunPlan } from '../config/planRun.ts'
import { createEvaluation } from '../createEvaluation.ts'
import { createStrategy } from '../createStrategy.ts'
import { createSmpcStage } from '../defence/createSmpcStage.ts'
import type { RunJournal } from '../orchestrator/openRunJournal.ts'
import { startJournaledRun } from '../orchestrator/startJournaledRun.ts'
import { resolveModelSpec } from '../resolveModelSpec.ts'
import type { RoundStages } from '../roundStages.ts'
import { collectReplies } from '../rounds/collectReplies.ts'
import type { RoundEvaluation } from '../rounds/roundEvaluation.ts'
import { runFederation } from '../runFederation.ts'
import { agreeFeatureScaling, announceFeatureScaling } from '../scaling/agreeFeatureScaling.ts'
import { relayVerifierPushes } from '../smpc/relayVerifierPushes.ts'
import { routeToRemoteNodes } from '../smpc/routeToRemoteNodes.ts'
import { verifierNodeIds } from '../smpc/verifyAndAggregate.ts'
import {
  type DeployedAdrmAdapters,
  type DeployedAdrmSummary,
  openJobAdrm,
} from './openDeployedAdrm.ts'
import { type DeployedDpSummary, openProviderDp, type ProviderDp } from './openProviderDp.ts'
import {
  deployedProtection,
  type OpenDeployedProtection,
  serveProtectedRounds,
} from './serveProtectedRounds.ts'

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
  /** The run's durable journal (msfl server --store): a restarted server resumes from it. */
  readonly journal?: RunJournal
}

/**
 * What the provider needs to run the job's SMPC verification with verifier processes: it
 * coordinates, deals (the dealer is part of the provider, see docs/deployment.md for the
 * trust this puts in it) and relays the nodes' pushes to each other.
 */
export interface DeployedVerification {
  /** The validation rows held back from the owners (holdOutValidation), not yet scaled. */
  readonly validation: Dataset
  /** Shares, masks and triples. */
  readonly csprng: () => Rng
  /** The in-memory transport over this process's own SMPC participants (the dealer). */
  readonly createLocalTransport: (handlers: ReadonlyMap<string, MessageHandler>) => Transport
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

/**
 * A job with `privacy`: its rounds behind the hiding protection (with client-level DP's
 * hooks), or DP alone on the plain rounds; then, with DP, the (ε, δ) spent. It keeps no
 * journal: a protected round's masks and an owner's or the provider's DP state live only
 * in memory, so the run cannot resume.
 */
async function serveProtectedJob(
  p: ServeFederationParameters,
  plan: ProtectedRunPlan,
  dp: ProviderDp | undefined,
  shared: {
    readonly runId: string
    readonly strategy: Strategy
    readonly transport: Transport
    readonly evaluate: (params: Float64Array) => RoundEvaluation
    readonly emit: EventSink
    readonly now: () => number
    readonly initialParams: Float64Array
    readonly rng: Rng
    readonly rows: readonly number[]
  },
): Promise<Omit<ServedFederation, 'model'>> {
  if (p.journal)
    throw new MsflError(
      'CONFIG_INVALID',
      'privacy: a protected run keeps no journal (secure-aggregation masks and DP budgets live only in memory, so it cannot resume)',
    )
  const { basics } = plan
  const rounds = plan.privacy.hiding
    ? await serveProtectedRounds({
        ...shared,
        plan,
        owners: p.owners,
        ...(dp?.clientLevel ? { hooks: dp.clientLevel.hooks } : {}),
        ...required(p.protection),
      })
    : await runFederation({
        ...shared,
        clients: p.owners,
        rounds: basics.rounds,
        deadlineMs: basics.deadlineMs,
      })
  if (!dp) return rounds
  const spent = await dp.summary({
    runId: p.runId,
    owners: p.owners,
    transport: p.transport,
    deadlineMs: basics.deadlineMs,
  })
  return { ...rounds, privacy: { spec: plan.privacy.spec, ...spent } }
}

function requiredNoise(noiseRng: (() => Rng) | undefined): () => Rng {
  if (!noiseRng)
    throw new MsflError('CONFIG_INVALID', 'privacy: the provider was given no CSPRNG for DP')
  return noiseRng
}

/**
 * The job's first step after the owners described their data: the feature scaling, agreed once
 * by secure aggregation (a resumed run takes the one its journal recorded), applied to the
 * provider's test rows and validation rows; an owner that joins later is given it too
 * (`onScalingKnown`).
 */
async function scaleServerData(
  p: ServeFederationParameters,
  rows: readonly number[],
  byRanges: boolean,
): Promise<{ test: Dataset; validation: Dataset | undefined }> {
  const { runId, owners } = p
  const { basics } = p.plan
  let test = p.test
  let validation = p.verification?.validation ?? p.adrm?.validation
  let agreed = p.journal?.scaling
  // Client-level DP: no statistic of an owner's rows leaves it; everyone scales by the ranges.
  if (p.scaling && byRanges)
    return { test: applyFeatureScaling(test, p.scaling, rangeScaling(p.scaling)), validation }
  if (p.scaling && p.journal?.scaling) {
    test = applyFeatureScaling(test, p.scaling, p.journal.scaling)
    if (validation) validation = applyFeatureScaling(validation, p.scaling, p.journal.scaling)
  } else if (p.scaling && p.scaling.features.length > 0) {
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
    if (validation) validation = applyFeatureScaling(validation, p.scaling, agreement.scaling)
    await p.journal?.recordScaling(agreement.scaling)
    agreed = agreement.scaling
  }
  if (p.scaling && agreed) {
    const scaling = agreed
    p.onScalingKnown?.((owner) =>
      announceFeatureScaling(
        {
          session: `${runId}/feature-statistics`,
          transport: p.transport,
          owners: [owner],
          stageTimeoutMs: basics.deadlineMs,
        },
        scaling,
      ),
    )
  }
  return { test, validation }
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

function required(protection: ServeFederationParameters['protection']) {
  if (!protection)
    throw new MsflError('CONFIG_INVALID', 'privacy: the provider was given no protections')
  return { openProtection: protection.open, checkKeyHolder: protection.checkKeyHolder }
}

/** The job's `verify` config when the deployment can run it, or why it cannot. */
function deployedVerify(
  plan: FederatedRunPlan,
  verification: DeployedVerification | undefined,
): VerifyConfig | undefined {
  const defences = plan.defences
  if (!defences?.verify) return undefined
  if (!verification)
    throw new MsflError('CONFIG_INVALID', 'verify: the provider was given no validation rows')
  if (defences.verify.validation === 'secret')
    throw new MsflError(
      'CONFIG_INVALID',
      'verify: validation=secret needs a dealer the provider is not: the provider deals and relays the openings, so it would learn the secret rows; use validation=public',
    )
  return defences.verify
}

/** The SMPC aggregation stage on verifier processes, reached through the provider's relay. */
function verificationStage(
  p: ServeFederationParameters,
  config: VerifyConfig,
  verifiers: readonly string[],
  model: Model,
  validation: Dataset,
  verification: DeployedVerification,
): RoundStages {
  const remote = relayVerifierPushes(p.transport, verifiers)
  const stage = createSmpcStage({
    runId: p.runId,
    config,
    model,
    validation,
    rng: verification.csprng,
    createTransport: (handlers) =>
      routeToRemoteNodes(handlers, verification.createLocalTransport(handlers), remote),
    remoteNodes: true,
    emit: p.emit,
    now: p.now,
  })
  return { aggregate: stage.aggregate }
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
