import type { AttackSpec } from '../core/attacks/attackCatalog.ts'
import { digestHex } from '../core/crypto/digestHex.ts'
import type { DatasetSplit } from '../core/data/dataset.ts'
import { l2NormalizeRows } from '../core/data/l2NormalizeRows.ts'
import { createRunEmitter } from '../core/events/createRunEmitter.ts'
import type { EventSink, MsflRoundRecord } from '../core/events/runEvent.ts'
import { type ClientPartition, partitionClients } from '../core/fl/partitionClients.ts'
import type { EvaluationMetrics } from '../core/metrics/evaluateModel.ts'
import { createBlockLayout, gradientRotations } from '../core/msfl/blockLayout.ts'
import { createMsflRequestor } from '../core/msfl/createMsflRequestor.ts'
import { evaluateMsfl } from '../core/msfl/evaluateMsfl.ts'
import { msflModelShape } from '../core/msfl/msflModel.ts'
import { assertMsflSelectionRule } from '../core/msfl/selectContributions.ts'
import type { HeDecryptor, HeEvaluator } from '../core/ports/he.ts'
import type { SecaggCrypto } from '../core/ports/secaggCrypto.ts'
import type { MessageHandler, Transport } from '../core/ports/transport.ts'
import type { Rng } from '../core/rng/rng.ts'
import { createSeededRng, deriveSeed } from '../core/rng/seededRng.ts'
import { type ConfiguredRobustRule, createRobustRule } from '../core/robust/createRobustRule.ts'
import type { SimulationConfig } from './config/simulationConfig.ts'
import { createMsflEvaluation } from './createMsflEvaluation.ts'
import { createMsflScreen, type MsflScreen } from './defence/createMsflScreen.ts'
import { createPlaintextReplay } from './msfl/createPlaintextReplay.ts'
import { type LedgerSummary, type MsflLedger, trackSettlement } from './msflLedger.ts'
import type { MsflOwners, MsflOwnersSpec } from './msflOwners.ts'
import { planAttackers } from './planAttackers.ts'
import type { StartTimer } from './rounds/collectReplies.ts'
import { runMsflProtocol } from './runMsflProtocol.ts'
import { scaleFederation } from './scaling/scaleFederation.ts'

/** The I/O the MS-FL simulation needs, supplied by the composition root. */
export interface MsflAdapters {
  /** Slots of a CKKS preset (the layout depends on it before any key exists). */
  slotsOf(preset: string): number
  /** The requestor's keys: secret key inside, public material out. */
  createRequestor(
    preset: string,
    rotations: readonly number[],
  ): Promise<{
    evaluator: HeEvaluator
    decryptor: HeDecryptor
    publicMaterial: Uint8Array
    /** Frees the keys' memory. */
    dispose(): void
  }>
  /** An evaluator from public material only (data owners, service provider). */
  createEvaluator(publicMaterial: Uint8Array): Promise<
    HeEvaluator & {
      /** Frees the evaluator's memory. */
      dispose(): void
    }
  >
  /** Stands up the data owners (in this thread, or in a worker-thread pool). */
  createOwners(spec: MsflOwnersSpec): Promise<MsflOwners>
  /** The ledger the run settles on (`config.ledger`: memory, evm, rpc:<url>). */
  createLedger(spec: {
    readonly ledger: string
    readonly pricePerComponent: bigint
    readonly owners: readonly string[]
  }): Promise<MsflLedger>
  /** The digest the ledger records for a serialised model (keccak256). */
  modelDigest(bytes: Uint8Array): Uint8Array
  /** The transport between the MS-FL participants. */
  createTransport(handlers: ReadonlyMap<string, MessageHandler>): Transport
  /** A CSPRNG-backed Rng (masks, noise flooding). */
  csprng(): Rng
  /** A collision-resistant hash of the concatenated parts (SHA-256), for commitments. */
  digest(parts: readonly Uint8Array[]): Uint8Array
  /** The secure aggregation the owners agree on the feature scaling with (runtime/scaling). */
  readonly secaggCrypto: SecaggCrypto
}

export interface MsflSimulationResult {
  readonly history: readonly MsflRoundRecord[]
  readonly weights: readonly Float64Array[]
  readonly final: EvaluationMetrics
  /** The same run with plaintext arithmetic (same seed, same batches): the yardstick. */
  readonly plaintextFinal: EvaluationMetrics
  readonly partition: ClientPartition
  readonly attackers: ReadonlyMap<string, AttackSpec>
  readonly publicMaterialBytes: number
  /** Deposits, payouts, refunds, escrow left and registered model digests. */
  readonly ledger: LedgerSummary
  /** The serialised model after each round (what the ledger's digests are of). */
  readonly models: ReadonlyMap<number, Uint8Array>
  /** `--defence adrm` at the requestor: final ADRM state and detection against the known attackers. */
  readonly defence?: ReturnType<MsflScreen['summary']>
}

/**
 * MS-FL in one process: a model requestor holding the CKKS secret key, data owners
 * and a service provider with public material only, all talking through the
 * transport, plus a plaintext-arithmetic replay of every round to measure the CKKS
 * error and compare accuracy.
 */
export async function runMsflSimulation(p: {
  readonly runId: string
  readonly config: SimulationConfig
  readonly data: DatasetSplit
  readonly adapters: MsflAdapters
  /** Starts the round deadline's timer (default: setTimeout); injected so tests control time. */
  readonly startTimer?: StartTimer
  readonly emit: EventSink
  readonly now: () => number
}): Promise<MsflSimulationResult> {
  const { config, adapters } = p
  const event = createRunEmitter(p)
  // Only the shape of the pooled rows is read here (classes, width, row count): the
  // features each owner trains on are its own rows under the agreed scaling.
  const train = p.data.train
  const shape = msflModelShape(train)
  const layout = createBlockLayout(train.d, config.msfl.batchSize, adapters.slotsOf(config.he))
  const rawPartition = partitionClients(
    train,
    config.clients,
    config.partition,
    createSeededRng(deriveSeed(config.seed, 'partition')),
  )
  const scaled = await scaleFederation({
    runId: p.runId,
    plan: p.data.scaling,
    owners: rawPartition.clients,
    source: 'statistics',
    createTransport: adapters.createTransport,
    crypto: adapters.secaggCrypto,
    stageTimeoutMs: config.deadline * 1000,
  })
  // Unit rows (each owner normalises its own) keep the cubic sigmoid in its accurate range.
  const partition: ClientPartition = {
    ...rawPartition,
    clients: rawPartition.clients.map((c) => ({
      ...c,
      data: l2NormalizeRows(scaled.owners.get(c.id)!),
    })),
  }
  const test = l2NormalizeRows(scaled.scale(p.data.test))
  const owners = partition.clients.map((c) => c.id)
  const attackers = planAttackers(
    {
      clients: owners,
      attack: config.attack,
      malicious: config.malicious,
      attackers: config.attackers,
    },
    createSeededRng(deriveSeed(config.seed, 'attackers')),
  )
  const rule = msflSelectionRule(config, attackers.size)
  assertMsflSelectionRule(rule, config.msfl.mask)
  const { f } = rule
  const seed = deriveSeed(config.seed, 'training')
  const initRng = createSeededRng(deriveSeed(config.seed, 'init'))
  const initial = Array.from({ length: shape.heads }, () =>
    Float64Array.from({ length: layout.components }, () => 0.01 * initRng.normal()),
  )

  const evaluate = createMsflEvaluation(train, test, attackers)
  const requestorKeys = await adapters.createRequestor(config.he, gradientRotations(layout))
  const shared = await adapters.createEvaluator(requestorKeys.publicMaterial)
  let owned: MsflOwners | undefined
  let ledger: MsflLedger | undefined
  try {
    ledger = await adapters.createLedger({
      ledger: config.ledger,
      pricePerComponent: BigInt(config.msfl.pricePerComponent),
      owners,
    })
    const tracked = trackSettlement(ledger.settlement)
    const settlement = tracked.settlement
    const models = new Map<number, Uint8Array>()
    const detection = config.defence
      ? createMsflScreen({
          runId: p.runId,
          spec: config.defence,
          seed: config.seed,
          attackers: new Set(attackers.keys()),
          emit: p.emit,
          now: p.now,
        })
      : undefined
    // Simulation only: the same rounds in plaintext arithmetic, for the CKKS error.
    const replay = createPlaintextReplay({
      owners: partition.clients,
      attackers,
      layout,
      shape,
      initialWeights: initial,
      seed,
      batchSize: config.msfl.batchSize,
      learningRate: config.msfl.learningRate,
      weightDecay: config.msfl.weightDecay,
      rule,
      f,
      ...(detection ? { setAside: (round: number) => detection.setAside(round) } : {}),
    })
    const requestor = createMsflRequestor({
      he: requestorKeys.evaluator,
      decryptor: requestorKeys.decryptor,
      layout,
      initialWeights: initial,
      learningRate: config.msfl.learningRate,
      weightDecay: config.msfl.weightDecay,
      rule,
      f,
      settlement,
      modelDigest: adapters.modelDigest,
      ...(detection ? { screen: detection.screen } : {}),
      onUpdate: (update) => {
        models.set(update.round, update.model)
        event('model-registered', { round: update.round, digest: digestHex(update.digest) })
        replay.observe(update)
      },
    })
    owned = await adapters.createOwners({
      publicMaterial: requestorKeys.publicMaterial,
      layout,
      shape,
      batchSize: config.msfl.batchSize,
      seed,
      owners: partition.clients.map((c) => ({
        clientId: c.id,
        data: c.data,
        ...(attackers.has(c.id) ? { attack: attackers.get(c.id)!.text } : {}),
      })),
    })
    const handlers = new Map<string, MessageHandler>([
      ['model-requestor', requestor],
      ...owned.handlers,
    ])
    event('run-started', {
      dataset: config.dataset,
      model:
        shape.heads === 1
          ? 'logistic (encrypted)'
          : `one-vs-rest logistic ×${shape.heads} (encrypted)`,
      strategy: `msfl (${config.he}, mask=${config.msfl.mask}, ${rule.spec})`,
      clients: config.clients,
      rounds: config.rounds,
      numParams: layout.components * shape.heads,
      trainRows: train.n,
      testRows: test.n,
      attackers: Object.fromEntries([...attackers].map(([id, a]) => [id, a.name])),
    })
    const history = await runMsflProtocol({
      runId: p.runId,
      rounds: config.rounds,
      he: shared,
      layout,
      heads: shape.heads,
      transport: adapters.createTransport(handlers),
      requestor: 'model-requestor',
      owners,
      settlement,
      maskMode: config.msfl.mask,
      maskRng: adapters.csprng(),
      digest: adapters.digest,
      deadlineMs: config.deadline * 1000,
      ...(p.startTimer ? { startTimer: p.startTimer } : {}),
      evaluate: (round) => ({
        ...evaluateMsfl(requestor.weights(), test),
        ckksError: replay.ckksError(round),
      }),
      emit: p.emit,
      now: p.now,
    })
    const weights = requestor.weights()
    const final = evaluate(weights)
    return {
      history,
      weights,
      final,
      plaintextFinal: evaluate(replay.weights()),
      partition,
      attackers,
      publicMaterialBytes: requestorKeys.publicMaterial.length,
      ledger: {
        ...tracked.totals(),
        kind: ledger.kind,
        escrowBalance: await ledger.escrowBalance(),
      },
      models,
      ...(detection ? { defence: detection.summary() } : {}),
    }
  } catch (error) {
    event('run-failed', { error: error instanceof Error ? error.message : String(error) })
    throw error
  } finally {
    await owned?.dispose()
    await ledger?.close()
    shared.dispose()
    requestorKeys.dispose()
  }
}

/**
 * The requestor's selection rule: the aggregator spec, where the config default
 * (fedavg, which selects nobody out) stands for the protocol's own MS-FL rule; f
 * defaults to the number of attackers.
 */
export function msflSelectionRule(
  config: SimulationConfig,
  attackers: number,
): ConfiguredRobustRule {
  const text = config.aggregator === 'fedavg' ? 'msfl' : config.aggregator
  return createRobustRule(text, { f: attackers })
}
