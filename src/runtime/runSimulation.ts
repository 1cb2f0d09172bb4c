import type { AttackSpec } from '../core/attacks/attackCatalog.ts'
import { createAdversary } from '../core/attacks/createAdversary.ts'
import { createMaliciousClient } from '../core/attacks/createMaliciousClient.ts'
import type { Dataset, DatasetSplit } from '../core/data/dataset.ts'
import type { FeatureScaling } from '../core/data/featureScaling.ts'
import { STATISTICS_NOISE_MULTIPLIER, STATISTICS_RELEASE } from '../core/dp/statisticsRelease.ts'
import { MsflError } from '../core/errors/msflError.ts'
import { createRunEmitter } from '../core/events/createRunEmitter.ts'
import type { EventSink } from '../core/events/runEvent.ts'
import { createTrainingClient } from '../core/fl/createTrainingClient.ts'
import { type ClientPartition, partitionClients } from '../core/fl/partitionClients.ts'
import { createModel } from '../core/model/createModel.ts'
import type { Model } from '../core/model/model.ts'
import type { SecaggCrypto } from '../core/ports/secaggCrypto.ts'
import type { MessageHandler, Transport } from '../core/ports/transport.ts'
import {
  HIDING_PROTECTIONS,
  type PrivacyPart,
  parsePrivacySpec,
} from '../core/privacy/parsePrivacySpec.ts'
import type { Rng } from '../core/rng/rng.ts'
import { createSeededRng, deriveSeed } from '../core/rng/seededRng.ts'
import type { SimulationConfig } from './config/simulationConfig.ts'
import { createEvaluation } from './createEvaluation.ts'
import { createStrategy } from './createStrategy.ts'
import { holdOutValidation } from './defence/holdOutValidation.ts'
import { type DefenceAdapters, type DefenceSummary, openDefences } from './defence/openDefences.ts'
import { planAttackers } from './planAttackers.ts'
import type { ClientLevelSummary } from './privacy/createClientLevelRun.ts'
import { openDp } from './privacy/openDp.ts'
import { openProtection } from './privacy/openProtection.ts'
import { runProtectedFederation } from './privacy/runProtectedFederation.ts'
import type { UpdateProtection } from './privacy/updateProtection.ts'
import { resolveModelSpec } from './resolveModelSpec.ts'
import { type FederationResult, runFederation } from './runFederation.ts'
import { type ScalingSource, scaleFederation } from './scaling/scaleFederation.ts'

/**
 * Everything `runSimulation` needs: the run id, the config, the loaded dataset, the transport
 * factory, optional privacy and defence adapters, the event sink and the clock.
 */
export interface RunSimulationParameters {
  readonly runId: string
  readonly config: SimulationConfig
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
  /** Builds the update protection `config.privacy` names (its keys come from adapters). */
  readonly createProtection?: (
    parts: readonly PrivacyPart[],
    context: ProtectionContext,
  ) => Promise<UpdateProtection>
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

/** What a protection needs to know about the run. */
export interface ProtectionContext {
  readonly runId: string
  readonly clients: readonly string[]
  /** The largest owner's example count: a public bound updates can be scaled by. */
  readonly referenceExamples: number
  /** Simulation (`--dropout`): whether a client vanishes after key sharing in a round. */
  readonly dropsOut: (clientId: string, round: number) => boolean
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
  const { config, runId } = p
  const event = createRunEmitter(p)
  // --defence / --verify: the model requestor keeps validation rows no owner gets.
  const { data: raw, validation: rawValidation } = holdOutValidation(config, p.data)
  const model = createModel(resolveModelSpec(config.model, raw.train))
  const privacy = config.privacy ? parsePrivacySpec(config.privacy) : []
  const dpPart = privacy.find((part) => part.name === 'dp')
  if (dpPart && !p.noiseRng)
    throw new MsflError('CONFIG_INVALID', 'privacy: this runner has no CSPRNG for DP noise')
  // Client-level DP protects an owner's whole data: no statistic of it may leave, so the
  // job scales by the declared ranges; sample-level DP owners noise their statistics.
  const clientLevelDp = dpPart?.options['level'] === 'client'
  const sampleLevelDp = dpPart !== undefined && !clientLevelDp
  const rawPartition = partitionClients(
    raw.train,
    config.clients,
    config.partition,
    createSeededRng(deriveSeed(config.seed, 'partition')),
  )
  const scaled = await scaleFederation({
    runId,
    plan: raw.scaling,
    owners: rawPartition.clients,
    source: clientLevelDp ? 'ranges' : 'statistics',
    createTransport: p.createTransport,
    crypto: p.secaggCrypto,
    ...(sampleLevelDp
      ? { noise: () => ({ multiplier: STATISTICS_NOISE_MULTIPLIER, rng: p.noiseRng!() }) }
      : {}),
    stageTimeoutMs: config.deadline * 1000,
  })
  const partition: ClientPartition = {
    ...rawPartition,
    clients: rawPartition.clients.map((c) => ({ ...c, data: scaled.owners.get(c.id)! })),
  }
  const data: DatasetSplit = { ...raw, test: scaled.scale(raw.test) }
  const validation = rawValidation && scaled.scale(rawValidation)
  const scalingSummary =
    scaled.source && scaled.scaling
      ? { scaling: { source: scaled.source, scaling: scaled.scaling } }
      : {}
  const clientIds = partition.clients.map((c) => c.id)
  const attackers = planAttackers(
    {
      clients: clientIds,
      attack: config.attack,
      malicious: config.malicious,
      attackers: config.attackers,
    },
    createSeededRng(deriveSeed(config.seed, 'attackers')),
  )
  const omniscient = [...attackers.values()].some((a) => a.definition.omniscient(a.options))
  const adversary = omniscient ? createAdversary() : undefined

  const hiding = privacy.filter((part) => HIDING_PROTECTIONS.includes(part.name))
  const dp = dpPart
    ? openDp({
        part: dpPart,
        hiding: hiding[0],
        config,
        model,
        honestOwners: partition.clients.filter((c) => !attackers.has(c.id)),
        noiseRng: p.noiseRng!,
        // What the owners' noisy feature statistics cost comes out of the same budget.
        prior: scaled.source === 'secure-aggregation' ? [STATISTICS_RELEASE] : [],
      })
    : undefined
  const clientLevel = dp?.clientLevel
  const handlers = new Map<string, MessageHandler>()
  for (const client of partition.clients) {
    const attack = attackers.get(client.id)
    const seed = deriveSeed(config.seed, 'training')
    const plain = () =>
      createTrainingClient({ clientId: client.id, model, data: client.data, seed })
    handlers.set(
      client.id,
      attack
        ? createMaliciousClient({
            clientId: client.id,
            model,
            data: client.data,
            attack,
            seed,
            ...(adversary ? { adversary } : {}),
          })
        : (dp?.honestClient(client.id, plain) ?? plain()),
    )
  }
  const strategy = clientLevel?.strategy ?? createStrategy(config, attackers.size)
  const evaluate = createEvaluation(model, data, attackers)
  const protection =
    hiding.length > 0
      ? await openProtection(
          p,
          hiding,
          clientIds,
          omniscient,
          // Client-level DP clients report numExamples 1: their updates need no scaling.
          clientLevel ? 1 : Math.max(...partition.clients.map((c) => c.data.n)),
        )
      : undefined
  const privacySummary = (bytesPerClientPerRound: number, dropped: PrivacySummary['dropped']) =>
    config.privacy === undefined
      ? {}
      : {
          privacy: {
            spec: privacy
              .map((part) =>
                HIDING_PROTECTIONS.includes(part.name) && protection
                  ? protection.spec
                  : `${part.name}:${Object.entries(part.options)
                      .map(([k, v]) => `${k}=${v}`)
                      .join(',')}`,
              )
              .join('+'),
            bytesPerClientPerRound,
            dropped,
            ...dp?.summary(),
          },
        }
  if (protection)
    for (const [id, handler] of handlers) handlers.set(id, protection.wrapClient(id, handler))
  const defences = validation
    ? await openRunDefences(p, model, validation, clientIds, new Set(attackers.keys()))
    : undefined
  if (defences)
    for (const [id, handler] of handlers) handlers.set(id, defences.wrapClient(id, handler))

  event('run-started', {
    dataset: config.dataset,
    model: config.model,
    strategy: strategy.name,
    clients: config.clients,
    rounds: config.rounds,
    numParams: model.numParams,
    trainRows: data.train.n,
    testRows: data.test.n,
    attackers: Object.fromEntries([...attackers].map(([id, a]) => [id, a.name])),
  })
  try {
    const federation = {
      runId,
      strategy,
      transport: p.createTransport(handlers),
      clients: clientIds,
      rounds: config.rounds,
      initialParams: model.init(createSeededRng(deriveSeed(config.seed, 'init'))),
      evaluate,
      // Client-level DP samples clients secretly: amplification assumes nobody can predict it.
      rng: clientLevel ? p.noiseRng!() : createSeededRng(deriveSeed(config.seed, 'sampling')),
      deadlineMs: config.deadline * 1000,
      emit: p.emit,
      now: p.now,
    }
    if (protection) {
      const result = await runProtectedFederation({
        ...federation,
        protection,
        ...(clientLevel ? { hooks: clientLevel.hooks } : {}),
      })
      // Rounds client-level DP dropped uploaded no protected update.
      const uploads = result.history
        .filter((r) => r.accepted > 0)
        .map((r) => r.protectedBytesPerClient)
      return {
        ...result,
        model,
        partition,
        attackers,
        ...scalingSummary,
        ...privacySummary(
          uploads.length > 0 ? uploads.reduce((a, b) => a + b, 0) / uploads.length : 0,
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
      model,
      partition,
      attackers,
      ...scalingSummary,
      ...privacySummary(8 * model.numParams, {}),
      ...(defences ? { defence: await defences.summary() } : {}),
    }
  } catch (error) {
    event('run-failed', { error: error instanceof Error ? error.message : String(error) })
    throw error
  } finally {
    await protection?.dispose()
    await defences?.close()
  }
}

function openRunDefences(
  p: RunSimulationParameters,
  model: Model,
  validation: Dataset,
  clients: readonly string[],
  attackers: ReadonlySet<string>,
) {
  const field = p.config.verify !== undefined ? 'verify' : 'defence'
  if (!p.defences)
    throw new MsflError('CONFIG_INVALID', `${field}: this runner has no ledger for the defences`)
  return openDefences({
    runId: p.runId,
    config: p.config,
    model,
    validation,
    clients,
    attackers,
    adapters: p.defences,
    emit: p.emit,
    now: p.now,
  })
}
