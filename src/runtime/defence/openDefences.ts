import { type AdrmSnapshot, createAdrm } from '../../core/adrm/createAdrm.ts'
import type { Dataset } from '../../core/data/dataset.ts'
import type { EventSink } from '../../core/events/runEvent.ts'
import { type DetectionMetrics, detectionMetrics } from '../../core/metrics/detectionMetrics.ts'
import type { Model } from '../../core/model/model.ts'
import type { MessageHandler } from '../../core/ports/transport.ts'
import { createSeededRng, deriveSeed } from '../../core/rng/seededRng.ts'
import { wrapModelCheck } from '../../core/verification/wrapModelCheck.ts'
import type { DefencePlan } from '../config/planRun.ts'
import { createLedgerStage } from '../ledger/createLedgerStage.ts'
import type { MsflAdapters } from '../msfl/msflAdapters.ts'
import { type LedgerSummary, summariseLedger, trackSettlement } from '../msflLedger.ts'
import type { RoundStages } from '../roundStages.ts'
import { createAdrmStages } from './createAdrmStages.ts'
import { createSmpcStage, type SmpcRoundRecord } from './createSmpcStage.ts'

/**
 * What the defences need from the outside, the same adapters as an MS-FL run: the
 * ledger and its digest, the CSPRNG (SMPC shares, masks and triples) and a transport
 * for the SMPC participants.
 */
export type DefenceAdapters = Pick<
  MsflAdapters,
  'createLedger' | 'modelDigest' | 'csprng' | 'createTransport'
>

/**
 * What the defences of a run did: ADRM state and detection quality, rollbacks, blocks, SMPC
 * verification and the ledger.
 */
export interface DefenceSummary {
  /** ADRM: final reputations, blocks, quarantine, model versions. */
  readonly adrm?: AdrmSnapshot
  /** ADRM in simulation: detection against the known attackers, over every inspected update. */
  readonly detection?: DetectionMetrics
  readonly rollbacks: readonly { readonly round: number; readonly toVersion: number }[]
  readonly blocks: readonly {
    readonly round: number
    readonly clientId: string
    readonly reason: string
  }[]
  /** SMPC: per round, each local model's accuracy and the exclusions. */
  readonly verification?: readonly SmpcRoundRecord[]
  readonly ledger: LedgerSummary
}

export interface Defences {
  readonly stages: RoundStages
  /** Each participant checks the global model against the ledger before training on it. */
  wrapClient(clientId: string, handler: MessageHandler): MessageHandler
  summary(): Promise<DefenceSummary>
  close(): Promise<void>
}

/**
 * `--defence adrm` and `--verify smpc` for the plaintext engine, with the ledger they
 * report to: the global model of every round is registered by its digest and checked
 * by every participant; with ADRM each round's pay follows reputation.
 */
export async function openDefences(p: {
  readonly runId: string
  readonly plan: DefencePlan
  readonly seed: number
  readonly model: Model
  readonly validation: Dataset
  readonly clients: readonly string[]
  /** Simulation: the known attackers (detection metrics; labels only with adrm:labels=oracle). */
  readonly attackers: ReadonlySet<string>
  readonly adapters: DefenceAdapters
  readonly emit: EventSink
  readonly now: () => number
}): Promise<Defences> {
  const { plan } = p
  const events: Parameters<EventSink>[0][] = []
  const emit: EventSink = (event) => {
    if (event.type === 'model-rolled-back' || event.type === 'client-blocked') events.push(event)
    p.emit(event)
  }
  const adrmConfig = plan.adrm
  const adrm =
    adrmConfig === undefined
      ? undefined
      : createAdrmStages({
          runId: p.runId,
          adrm: createAdrm(adrmConfig, createSeededRng(deriveSeed(p.seed, 'adrm'))),
          model: p.model,
          validation: p.validation,
          labels:
            adrmConfig.labels === 'oracle'
              ? { kind: 'oracle', attackers: p.attackers }
              : { kind: 'none' },
          emit,
          now: p.now,
        })
  const smpc =
    plan.verify === undefined
      ? undefined
      : createSmpcStage({
          runId: p.runId,
          config: plan.verify,
          model: p.model,
          validation: p.validation,
          rng: p.adapters.csprng,
          createTransport: p.adapters.createTransport,
          emit,
          now: p.now,
        })
  const ledger = await p.adapters.createLedger({
    ledger: plan.ledger,
    pricePerComponent: BigInt(plan.pricePerComponent),
    owners: p.clients,
  })
  const tracked = trackSettlement(ledger.settlement)
  const ledgerStage = createLedgerStage({
    runId: p.runId,
    settlement: tracked.settlement,
    spec: p.model.spec,
    digest: p.adapters.modelDigest,
    owners: p.clients,
    ...(adrm ? { payoutPoints: adrm.payoutPoints } : {}),
    emit,
    now: p.now,
  })
  const stages: RoundStages = {
    ...(adrm ? { available: adrm.available, screen: adrm.screen, review: adrm.review } : {}),
    ...(smpc ? { aggregate: smpc.aggregate } : {}),
    async publish(round, params, accepted) {
      if (round === 0) adrm?.start(params)
      await ledgerStage.publish!(round, params, accepted)
    },
  }
  return {
    stages,
    wrapClient: (clientId, handler) =>
      wrapModelCheck(handler, clientId, p.model.spec, {
        registered: (round) => tracked.settlement.modelDigest(round),
        digest: p.adapters.modelDigest,
      }),
    async summary() {
      return {
        ...(adrm
          ? {
              adrm: adrm.snapshot(),
              detection: detectionMetrics(adrm.detectionRounds(), p.attackers),
            }
          : {}),
        rollbacks: events.flatMap((e) =>
          e.type === 'model-rolled-back' ? [{ round: e.round, toVersion: e.toVersion }] : [],
        ),
        blocks: events.flatMap((e) =>
          e.type === 'client-blocked'
            ? [{ round: e.round, clientId: e.clientId, reason: e.reason }]
            : [],
        ),
        ...(smpc ? { verification: smpc.rounds() } : {}),
        ledger: await summariseLedger(ledger, tracked),
      }
    },
    close: () => ledger.close(),
  }
}
