import type { AttackSpec } from '../core/attacks/attackCatalog.ts'
import type { Dataset, DatasetSplit } from '../core/data/dataset.ts'
import { l2NormalizeRows } from '../core/data/l2NormalizeRows.ts'
import { createRunEmitter, reportRunFailure } from '../core/events/createRunEmitter.ts'
import type { EventSink, MsflRoundRecord } from '../core/events/runEvent.ts'
import type { ClientPartition } from '../core/fl/partitionClients.ts'
import type { EvaluationMetrics } from '../core/metrics/evaluateModel.ts'
import { createBlockLayout, gradientRotations } from '../core/msfl/blockLayout.ts'
import { evaluateMsfl } from '../core/msfl/evaluateMsfl.ts'
import { msflModelShape } from '../core/msfl/msflModel.ts'
import type { MessageHandler } from '../core/ports/transport.ts'
import { deriveSeed } from '../core/rng/seededRng.ts'
import { createRobustRule } from '../core/robust/createRobustRule.ts'
import type { MsflRunPlan } from './config/planRun.ts'
import { createMsflEvaluation } from './createMsflEvaluation.ts'
import type { MsflScreen } from './defence/createMsflScreen.ts'
import { createSimulatedRequestor } from './msfl/createSimulatedRequestor.ts'
import { describeMsflModel } from './msfl/describeMsflModel.ts'
import { initialMsflWeights } from './msfl/initialMsflWeights.ts'
import type { MsflAdapters } from './msfl/msflAdapters.ts'
import {
  type LedgerSummary,
  type MsflLedger,
  summariseLedger,
  trackSettlement,
} from './msflLedger.ts'
import type { MsflOwners } from './msflOwners.ts'
import { attackerNames } from './planAttackers.ts'
import { planPopulation } from './planPopulation.ts'
import type { StartTimer } from './rounds/collectReplies.ts'
import { runMsflProtocol } from './runMsflProtocol.ts'
import { scaleFederation } from './scaling/scaleFederation.ts'
import { simulationAggregationRng } from './simulationStrategy.ts'

/** Everything `runMsflSimulation` needs: the validated plan, the dataset, the adapters, time. */
export interface RunMsflSimulationParameters {
  readonly runId: string
  /** The validated run (`planRun`): its MS-FL settings, ledger and selection rule. */
  readonly plan: MsflRunPlan
  readonly data: DatasetSplit
  readonly adapters: MsflAdapters
  /** Starts the round deadline's timer (default: setTimeout); injected so tests control time. */
  readonly startTimer?: StartTimer
  readonly emit: EventSink
  readonly now: () => number
}

/** The outcome of an MS-FL simulation: rounds, model, accuracy against plaintext, ledger. */
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
export async function runMsflSimulation(
  p: RunMsflSimulationParameters,
): Promise<MsflSimulationResult> {
  const { plan, adapters } = p
  const { basics, msfl } = plan
  const event = createRunEmitter(p)
  // Only the shape of the pooled rows is read here (classes, width, row count): the
  // features each owner trains on are its own rows under the agreed scaling.
  const train = p.data.train
  const shape = msflModelShape(train)
  const layout = createBlockLayout(train.d, msfl.batchSize, adapters.slotsOf(plan.he))
  const population = planPopulation(basics, train)
  const { owners, attackers } = population
  const { partition, test } = await scaleOwners(p, population.partition)
  // f = floor(tolerate · n) of the owners whose gradients reach it (never the attackers).
  const rng = simulationAggregationRng(basics.seed)
  const rule = createRobustRule(plan.selectionRule, { tolerate: plan.tolerate }, rng)
  const seed = deriveSeed(basics.seed, 'training')
  const initial = initialMsflWeights(basics.seed, shape.heads, layout.components)

  const evaluate = createMsflEvaluation(train, test, attackers)
  const requestorKeys = await adapters.createRequestor(plan.he, gradientRotations(layout))
  const shared = await adapters.createEvaluator(requestorKeys.publicMaterial)
  let owned: MsflOwners | undefined
  let ledger: MsflLedger | undefined
  try {
    ledger = await adapters.createLedger({
      ledger: plan.ledger,
      pricePerComponent: BigInt(msfl.pricePerComponent),
      owners,
    })
    const tracked = trackSettlement(ledger.settlement)
    const settlement = tracked.settlement
    const { requestor, replay, detection, models } = createSimulatedRequestor({
      runId: p.runId,
      plan,
      attackers,
      owners: partition.clients,
      layout,
      shape,
      initialWeights: initial,
      seed,
      rule,
      keys: requestorKeys,
      settlement,
      modelDigest: adapters.modelDigest,
      emit: p.emit,
      now: p.now,
    })
    owned = await adapters.createOwners({
      publicMaterial: requestorKeys.publicMaterial,
      layout,
      shape,
      batchSize: msfl.batchSize,
      seed,
      owners: ownerSpecs(partition, attackers),
    })
    const handlers = new Map<string, MessageHandler>([
      ['model-requestor', requestor],
      ...owned.handlers,
    ])
    event('run-started', {
      dataset: basics.dataset,
      model: describeMsflModel(shape.heads),
      strategy: `msfl (${plan.he}, mask=${msfl.mask}, ${rule.spec})`,
      clients: basics.clients,
      rounds: basics.rounds,
      numParams: layout.components * shape.heads,
      trainRows: train.n,
      testRows: test.n,
      attackers: attackerNames(attackers),
    })
    const history = await runMsflProtocol({
      runId: p.runId,
      rounds: basics.rounds,
      he: shared,
      layout,
      heads: shape.heads,
      transport: adapters.createTransport(handlers),
      requestor: 'model-requestor',
      owners,
      settlement,
      maskMode: msfl.mask,
      minOwners: msfl.minOwners,
      maskRng: adapters.csprng(),
      digest: adapters.digest,
      deadlineMs: basics.deadlineMs,
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
      ledger: await summariseLedger(ledger, tracked),
      models,
      ...(detection ? { defence: detection.summary() } : {}),
    }
  } catch (error) {
    throw reportRunFailure(event, error)
  } finally {
    await owned?.dispose()
    await ledger?.close()
    shared.dispose()
    requestorKeys.dispose()
  }
}

/** Each owner's rows and, for the simulated attackers, their attack. */
function ownerSpecs(partition: ClientPartition, attackers: ReadonlyMap<string, AttackSpec>) {
  return partition.clients.map((c) => ({
    clientId: c.id,
    data: c.data,
    ...(attackers.has(c.id) ? { attack: attackers.get(c.id)!.text } : {}),
  }))
}

/**
 * The owners agree on the feature scaling (runtime/scaling), then each L2-normalises its
 * own rows: unit rows keep the cubic sigmoid in its accurate range.
 */
async function scaleOwners(
  p: RunMsflSimulationParameters,
  raw: ClientPartition,
): Promise<{ partition: ClientPartition; test: Dataset }> {
  const scaled = await scaleFederation({
    runId: p.runId,
    plan: p.data.scaling,
    owners: raw.clients,
    source: 'statistics',
    createTransport: p.adapters.createTransport,
    crypto: p.adapters.secaggCrypto,
    stageTimeoutMs: p.plan.basics.deadlineMs,
  })
  return {
    partition: {
      ...raw,
      clients: raw.clients.map((c) => ({
        ...c,
        data: l2NormalizeRows(scaled.owners.get(c.id)!),
      })),
    },
    test: l2NormalizeRows(scaled.scale(p.data.test)),
  }
}
