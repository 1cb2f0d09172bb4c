import type { AttackSpec } from '../core/attacks/attackCatalog.ts'
import { createAdversary } from '../core/attacks/createAdversary.ts'
import { createMaliciousClient } from '../core/attacks/createMaliciousClient.ts'
import type { Dataset, DatasetSplit } from '../core/data/dataset.ts'
import type { FeatureScaling } from '../core/data/featureScaling.ts'
import { STATISTICS_NOISE_MULTIPLIER, STATISTICS_RELEASE } from '../core/dp/statisticsRelease.ts'
import { MsflError } from '../core/errors/msflError.ts'
import { createRunEmitter, reportRunFailure } from '../core/events/createRunEmitter.ts'
import type { EventSink, ProtectedRoundRecord } from '../core/events/runEvent.ts'
import { createTrainingClient } from '../core/fl/createTrainingClient.ts'
import type { ClientPartition } from '../core/fl/partitionClients.ts'
import { createModel } from '../core/model/createModel.ts'
import type { Model } from '../core/model/model.ts'
import type { SecaggCrypto } from '../core/ports/secaggCrypto.ts'
import type { MessageHandler, Transport } from '../core/ports/transport.ts'
import { MIN_SUMMED_UPDATES } from '../core/privacy/createKeyHolder.ts'
import type { DpPart, HidingPart } from '../core/privacy/parsePrivacySpec.ts'
import type { Rng } from '../core/rng/rng.ts'
import { createSeededRng, deriveSeed } from '../core/rng/seededRng.ts'
import type { FederatedRunPlan, PrivacyPlan } from './config/planRun.ts'
import { createEvaluation } from './createEvaluation.ts'
import { holdOutValidation } from './defence/holdOutValidation.ts'
import { type DefenceAdapters, type DefenceSummary, openDefences } from './defence/openDefences.ts'
import { trainingSeedOf } from './deploy/trainingSeedOf.ts'
import { attackerNames } from './planAttackers.ts'
import { planPopulation } from './planPopulation.ts'
import type { ClientLevelSummary } from './privacy/createClientLevelRun.ts'
import { type DpSetup, openDp } from './privacy/openDp.ts'
import { openProtection } from './privacy/openProtection.ts'
import { runProtectedFederation } from './privacy/runProtectedFederation.ts'
import type {
  CreateProtection,
  OpenedProtection,
  UpdateProtection,
} from './privacy/updateProtection.ts'
import { resolveModelSpec } from './resolveModelSpec.ts'
import { type FederationResult, runFederation } from './runFederation.ts'
import { type ScalingSource, scaleFederation } from './scaling/scaleFederation.ts'
import { createSimulationStrategy, needsServerUpdate } from './simulationStrategy.ts'

/**
 * Everything `runSimulation` needs: the run id, the config, the loaded dataset, the transport
 * factory, optional privacy and defence adapters, the event sink and the clock.
 */
export interface RunSimulationParameters {
  readonly runId: string
  /** The validated run (`planRun`): the plain engine, with or without `--privacy`. */
  readonly plan: FederatedRunPlan
  /** The dataset, already loaded and verified by the caller (an adapter). */
  readonly data: DatasetSplit
  /** Builds the transport that connects the server to the client handlers. */
  readonly createTransport: (handlers: ReadonlyMap<string, MessageHandler>) => Transport
  /**
   * The secure-aggregation primitives the owners and the requestor agree on the feature
   * scaling with (datasets whose `scaling` plan names features; runtime/scaling).
   */
  readonly secaggCrypto?: SecaggCrypto
  /** DP-SGD noise and sampling (`--privacy dp`): a CSPRNG, from an adapter. */
  readonly noiseRng?: () => Rng
  /** Builds the update protection `--privacy` names (its keys come from adapters). */
  readonly createProtection?: CreateProtection
  /** `--defence` and `--verify`: the ledger, the CSPRNG and the SMPC transport. */
  readonly defences?: DefenceAdapters
  readonly emit: EventSink
  /** Milliseconds since the Unix epoch; injected so tests and replays control time. */
  readonly now: () => number
}

/**
 * The outcome of a simulation: the federation result plus the model, the partition, the attackers
 * and what privacy and defences did.
 */
export interface SimulationResult extends FederationResult {
  readonly model: Model
  /** How the job standardised its numeric features (absent when the dataset needed none). */
  readonly scaling?: { readonly source: ScalingSource; readonly scaling: FeatureScaling }
  readonly partition: ClientPartition
  /** Malicious clients and their attacks (empty for a clean run). */
  readonly attackers: ReadonlyMap<string, AttackSpec>
  /** With `config.privacy`: the protection and what it cost. */
  readonly privacy?: PrivacySummary
  /** With `config.defence` or `config.verify`: detection, rollbacks, blocks, verification, ledger. */
  readonly defence?: DefenceSummary
}

/**
 * With `dp`: (ε, δ) spent and ε after each round — sample level: the largest owner's;
 * client level: every client's, plus the mechanism (level, noise, σ, q, t).
 */
export interface PrivacySummary extends Partial<Omit<ClientLevelSummary, 'epsilonPerRound'>> {
  readonly spec: string
  readonly epsilonPerRound?: Readonly<Record<number, number>>
  /** Mean protected upload per contributing client per round, in bytes. */
  readonly bytesPerClientPerRound: number
  /** Clients that dropped out, per round (secure aggregation). */
  readonly dropped: Readonly<Record<number, readonly string[]>>
}

/**
 * One federated simulation: partition the training data among data owners, give
 * each a client behind the transport (honest, or running its configured attack), and
 * run the rounds. Everything random is derived from `config.seed`, so a config
 * reproduces its metrics exactly.
 *
 * Example: two rounds on synthetic data over the in-memory transport
 * (`examples/library/runSimulation.ts`, compiled and run by the package test):
 *
 * {@includeCode ../../examples/library/runSimulation.ts}
 */
export async function runSimulation(p: RunSimulationParameters): Promise<SimulationResult> {
  const { plan, runId } = p
  const { basics } = plan
  const privacy = plan.protocol === 'protected' ? plan.privacy : undefined
  const event = createRunEmitter(p)
  // --defence / --verify / fltrust: the model requestor keeps validation rows no owner gets.
  const held = holdOutValidation(plan.defences, basics.seed, p.data, needsServerUpdate(plan.engine))
  const model = createModel(resolveModelSpec(basics.model, held.data.train))
  const population = planPopulation(basics, held.data.train)
  const { owners: clientIds, attackers } = population
  // The owners agree on the feature scaling before any round (runtime/scaling).
  const { data, validation, partition, scaling, statisticsReleased } = await scaleRunData(
    p,
    held,
    population.partition,
  )
  const omniscient = [...attackers.values()].some((a) => a.definition.omniscient(a.options))
  const adversary = omniscient ? createAdversary() : undefined
  const dp = privacy?.dp
    ? openRunDp(p, { ...privacy, dp: privacy.dp }, model, partition, attackers, statisticsReleased)
    : undefined
  const clientLevel = dp?.clientLevel
  const handlers = createClients(basics.seed, model, partition, attackers, adversary, dp)
  const strategy =
    clientLevel?.strategy ?? createSimulationStrategy(plan.engine, basics, model, validation)
  const evaluate = createEvaluation(model, data, attackers)
  const opened = privacy?.hiding
    ? await openRunProtection(p, privacy.hiding, partition, omniscient, clientLevel !== undefined)
    : undefined
  const protection = opened?.protection
  const privacySummary = (bytesPerClientPerRound: number, dropped: PrivacySummary['dropped']) =>
    privacy === undefined
      ? {}
      : { privacy: summarisePrivacy(privacy, protection, dp, bytesPerClientPerRound, dropped) }
  if (protection)
    for (const [id, handler] of handlers) handlers.set(id, protection.wrapClient(id, handler))
  const defences =
    validation && plan.defences
      ? await openRunDefences(p, model, validation, clientIds, new Set(attackers.keys()))
      : undefined
  if (defences)
    for (const [id, handler] of handlers) handlers.set(id, defences.wrapClient(id, handler))
  // The key holder joins the transport as a participant; the server stage never gets it.
  for (const participant of opened?.participants ?? []) {
    if (handlers.has(participant.id))
      throw new MsflError('CONFIG_INVALID', `privacy: ${participant.id} is already a client id`)
    handlers.set(participant.id, participant.handler)
  }

  event('run-started', {
    dataset: basics.dataset,
    model: basics.model,
    strategy: strategy.name,
    clients: basics.clients,
    rounds: basics.rounds,
    numParams: model.numParams,
    trainRows: data.train.n,
    testRows: data.test.n,
    attackers: attackerNames(attackers),
  })
  try {
    const federation = {
      runId,
      strategy,
      transport: p.createTransport(handlers),
      clients: clientIds,
      rounds: basics.rounds,
      initialParams: model.init(createSeededRng(deriveSeed(basics.seed, 'init'))),
      evaluate,
      // Client-level DP samples clients secretly: amplification assumes nobody can predict it.
      rng: clientLevel ? p.noiseRng!() : createSeededRng(deriveSeed(basics.seed, 'sampling')),
      deadlineMs: basics.deadlineMs,
      emit: p.emit,
      now: p.now,
    }
    // What every result carries besides the rounds.
    const outcome = { model, partition, attackers, ...(scaling ? { scaling } : {}) }
    if (protection) {
      const result = await runProtectedFederation({
        ...federation,
        protection,
        ...(clientLevel ? { hooks: clientLevel.hooks } : {}),
      })
      return {
        ...result,
        ...outcome,
        ...privacySummary(
          meanProtectedUpload(result.history),
          Object.fromEntries(result.history.map((r) => [r.round, r.dropped])),
        ),
      }
    }
    const result = await runFederation({
      ...federation,
      ...(defences ? { stages: defences.stages } : {}),
      ...(adversary
        ? {
            omniscient: {
              attackers: new Set(attackers.keys()),
              observe: (round, honest, participants, count) =>
                adversary.observe(round, { honest, participants, attackers: count }),
            },
          }
        : {}),
    })
    // Plain updates travel as float64 vectors on the wire: 8 bytes per parameter.
    return {
      ...result,
      ...outcome,
      ...privacySummary(8 * model.numParams, {}),
      ...(defences ? { defence: await defences.summary() } : {}),
    }
  } catch (error) {
    throw reportRunFailure(event, error)
  } finally {
    await protection?.dispose()
    for (const participant of opened?.participants ?? []) await participant.dispose()
    await defences?.close()
  }
}

/** The protection `--privacy` names, around the run's clients. */
function openRunProtection(
  p: RunSimulationParameters,
  hiding: HidingPart,
  partition: ClientPartition,
  omniscient: boolean,
  clientLevel: boolean,
): Promise<OpenedProtection> {
  const privacy = p.plan.protocol === 'protected' ? p.plan.privacy : undefined
  return openProtection({
    runId: p.runId,
    hiding,
    dropout: privacy?.dropout ?? 0,
    seed: p.plan.basics.seed,
    clients: partition.clients.map((c) => c.id),
    rounds: p.plan.basics.rounds,
    // Distributed client-level DP: no sum with fewer than t noise shares is decrypted.
    minContributors: Math.max(MIN_SUMMED_UPDATES, privacy?.minNoiseShares ?? 0),
    omniscient,
    // Client-level DP clients report numExamples 1: their updates need no scaling.
    referenceExamples: clientLevel ? 1 : Math.max(...partition.clients.map((c) => c.data.n)),
    createProtection: p.createProtection,
  })
}

/** Every data owner's handler: its attack, or an honest client (with DP-SGD or DP clipping). */
function createClients(
  seed: number,
  model: Model,
  partition: ClientPartition,
  attackers: ReadonlyMap<string, AttackSpec>,
  adversary: ReturnType<typeof createAdversary> | undefined,
  dp: DpSetup | undefined,
): Map<string, MessageHandler> {
  const handlers = new Map<string, MessageHandler>()
  const trainingSeed = trainingSeedOf(seed)
  for (const client of partition.clients) {
    const attack = attackers.get(client.id)
    const owner = { clientId: client.id, model, data: client.data, seed: trainingSeed }
    const plain = () => createTrainingClient(owner)
    handlers.set(
      client.id,
      attack
        ? createMaliciousClient({ ...owner, attack, ...(adversary ? { adversary } : {}) })
        : (dp?.honestClient(client.id, plain) ?? plain()),
    )
  }
  return handlers
}

function openRunDp(
  p: RunSimulationParameters,
  privacy: PrivacyPlan & { readonly dp: DpPart },
  model: Model,
  partition: ClientPartition,
  attackers: ReadonlyMap<string, AttackSpec>,
  statisticsReleased: boolean,
): DpSetup {
  if (!p.noiseRng)
    throw new MsflError('CONFIG_INVALID', 'privacy: this runner has no CSPRNG for DP noise')
  return openDp({
    privacy,
    clients: p.plan.basics.clients,
    rounds: p.plan.basics.rounds,
    training: p.plan.engine.training,
    model,
    honestOwners: partition.clients.filter((c) => !attackers.has(c.id)),
    noiseRng: p.noiseRng,
    // What the owners' noisy feature statistics cost comes out of the same budget.
    prior: statisticsReleased ? [STATISTICS_RELEASE] : [],
  })
}

/**
 * The feature scaling the owners agree on (runtime/scaling), applied to their rows, the
 * test rows and the requestor's validation rows. Client-level DP protects an owner's
 * whole data, so no statistic of it may leave: the job scales by the declared ranges.
 * Sample-level DP owners noise their statistics (the release is charged to their budget).
 */
async function scaleRunData(
  p: RunSimulationParameters,
  held: { readonly data: DatasetSplit; readonly validation?: Dataset },
  raw: ClientPartition,
): Promise<{
  data: DatasetSplit
  validation: Dataset | undefined
  partition: ClientPartition
  scaling: SimulationResult['scaling']
  statisticsReleased: boolean
}> {
  const dp = p.plan.protocol === 'protected' ? p.plan.privacy.dp : undefined
  const clientLevelDp = dp?.options.level === 'client'
  if (dp && !clientLevelDp && !p.noiseRng)
    throw new MsflError('CONFIG_INVALID', 'privacy: this runner has no CSPRNG for DP noise')
  const scaled = await scaleFederation({
    runId: p.runId,
    plan: held.data.scaling,
    owners: raw.clients,
    source: clientLevelDp ? 'ranges' : 'statistics',
    createTransport: p.createTransport,
    crypto: p.secaggCrypto,
    ...(dp && !clientLevelDp && p.noiseRng
      ? { noise: () => ({ multiplier: STATISTICS_NOISE_MULTIPLIER, rng: p.noiseRng!() }) }
      : {}),
    stageTimeoutMs: p.plan.basics.deadlineMs,
  })
  return {
    data: { ...held.data, test: scaled.scale(held.data.test) },
    validation: held.validation && scaled.scale(held.validation),
    partition: {
      ...raw,
      clients: raw.clients.map((c) => ({ ...c, data: scaled.owners.get(c.id)! })),
    },
    scaling:
      scaled.source && scaled.scaling
        ? { source: scaled.source, scaling: scaled.scaling }
        : undefined,
    statisticsReleased: scaled.source === 'secure-aggregation',
  }
}

/** What `--privacy` did: its canonical spec, the bytes each client sent, dropouts and DP spent. */
function summarisePrivacy(
  privacy: PrivacyPlan,
  protection: UpdateProtection | undefined,
  dp: DpSetup | undefined,
  bytesPerClientPerRound: number,
  dropped: PrivacySummary['dropped'],
): PrivacySummary {
  return {
    spec: describePrivacy(privacy, protection),
    bytesPerClientPerRound,
    dropped,
    ...dp?.summary(),
  }
}

/** Mean protected upload per client over the rounds that released one. */
function meanProtectedUpload(history: readonly ProtectedRoundRecord[]): number {
  // Rounds client-level DP dropped uploaded no protected update.
  const uploads = history.filter((r) => r.accepted > 0).map((r) => r.protectedBytesPerClient)
  return uploads.length > 0 ? uploads.reduce((a, b) => a + b, 0) / uploads.length : 0
}

/** The canonical spec of what protected the run: each part with its resolved options. */
function describePrivacy(privacy: PrivacyPlan, protection: UpdateProtection | undefined): string {
  return privacy.parts
    .map((part) =>
      part.name !== 'dp' && protection
        ? protection.spec
        : `${part.name}:${Object.entries(part.options)
            .map(([k, v]) => `${k}=${v}`)
            .join(',')}`,
    )
    .join('+')
}

function openRunDefences(
  p: RunSimulationParameters,
  model: Model,
  validation: Dataset,
  clients: readonly string[],
  attackers: ReadonlySet<string>,
) {
  const plan = p.plan.defences!
  const field = plan.verify !== undefined ? 'verify' : 'defence'
  if (!p.defences)
    throw new MsflError('CONFIG_INVALID', `${field}: this runner has no ledger for the defences`)
  return openDefences({
    runId: p.runId,
    plan,
    seed: p.plan.basics.seed,
    model,
    validation,
    clients,
    attackers,
    adapters: p.defences,
    emit: p.emit,
    now: p.now,
  })
}
