import type { AttackSpec } from '../../core/attacks/attackCatalog.ts'
import { digestHex } from '../../core/crypto/digestHex.ts'
import type { Dataset } from '../../core/data/dataset.ts'
import { createRunEmitter } from '../../core/events/createRunEmitter.ts'
import type { EventSink } from '../../core/events/runEvent.ts'
import type { BlockLayout } from '../../core/msfl/blockLayout.ts'
import { createMsflRequestor } from '../../core/msfl/createMsflRequestor.ts'
import type { MsflModelShape } from '../../core/msfl/msflModel.ts'
import type { HeDecryptor, HeEvaluator } from '../../core/ports/he.ts'
import type { Settlement } from '../../core/ports/settlement.ts'
import type { ConfiguredRobustRule } from '../../core/robust/createRobustRule.ts'
import type { MsflRunPlan } from '../config/planRun.ts'
import { createMsflScreen, type MsflScreen } from '../defence/createMsflScreen.ts'
import { createPlaintextReplay, type PlaintextReplay } from './createPlaintextReplay.ts'

/** The model requestor of a simulated MS-FL run and the observers the simulation adds. */
export interface SimulatedRequestor {
  readonly requestor: ReturnType<typeof createMsflRequestor>
  /** The plaintext replay of every round (CKKS error, plaintext accuracy). */
  readonly replay: PlaintextReplay
  /** `--defence adrm` at the requestor, if configured. */
  readonly detection?: MsflScreen
  /** The serialised model after each round: what the ledger's digests are of. */
  readonly models: ReadonlyMap<number, Uint8Array>
}

/**
 * The requestor of an MS-FL simulation (it holds the CKKS secret key), with its ADRM
 * screen when `--defence` is set, and two observers of its updates: the registry of
 * serialised models and the plaintext replay, which reads the owners' data as only a
 * simulation can.
 */
export function createSimulatedRequestor(p: {
  readonly runId: string
  readonly plan: MsflRunPlan
  readonly attackers: ReadonlyMap<string, AttackSpec>
  readonly owners: readonly { readonly id: string; readonly data: Dataset }[]
  readonly layout: BlockLayout
  readonly shape: MsflModelShape
  readonly initialWeights: readonly Float64Array[]
  /** The owners' training seed, so the replay sees the same batches. */
  readonly seed: number
  readonly rule: ConfiguredRobustRule
  readonly keys: { readonly evaluator: HeEvaluator; readonly decryptor: HeDecryptor }
  readonly settlement: Settlement
  readonly modelDigest: (bytes: Uint8Array) => Uint8Array
  readonly emit: EventSink
  readonly now: () => number
}): SimulatedRequestor {
  const { msfl } = p.plan
  const event = createRunEmitter(p)
  const models = new Map<number, Uint8Array>()
  const detection = p.plan.defence
    ? createMsflScreen({
        runId: p.runId,
        spec: p.plan.defence,
        seed: p.plan.basics.seed,
        attackers: new Set(p.attackers.keys()),
        emit: p.emit,
        now: p.now,
      })
    : undefined
  const training = {
    layout: p.layout,
    initialWeights: p.initialWeights,
    learningRate: msfl.learningRate,
    weightDecay: msfl.weightDecay,
    rule: p.rule,
    f: p.rule.assumedF(p.owners.length),
    minOwners: msfl.minOwners,
  }
  // Simulation only: the same rounds in plaintext arithmetic, for the CKKS error.
  const replay = createPlaintextReplay({
    ...training,
    owners: p.owners,
    attackers: p.attackers,
    shape: p.shape,
    seed: p.seed,
    batchSize: msfl.batchSize,
    ...(detection ? { setAside: (round: number) => detection.setAside(round) } : {}),
  })
  const requestor = createMsflRequestor({
    ...training,
    he: p.keys.evaluator,
    decryptor: p.keys.decryptor,
    settlement: p.settlement,
    modelDigest: p.modelDigest,
    ...(detection ? { screen: detection.screen } : {}),
    onUpdate: (update) => {
      models.set(update.round, update.model)
      event('model-registered', { round: update.round, digest: digestHex(update.digest) })
      replay.observe(update)
    },
  })
  return { requestor, replay, models, ...(detection ? { detection } : {}) }
}
