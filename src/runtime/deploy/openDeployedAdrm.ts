import { type AdrmConfig, type AdrmSnapshot, createAdrm } from '../../core/adrm/createAdrm.ts'
import type { Dataset } from '../../core/data/dataset.ts'
import type { LedgerAddress, LedgerTerms } from '../../core/deploy/msflDeploymentMessages.ts'
import { paymentTermsAcceptedSchema } from '../../core/deploy/paymentMessages.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import type { EventSink } from '../../core/events/runEvent.ts'
import type { Model } from '../../core/model/model.ts'
import type { ProtocolMessage, Transport } from '../../core/ports/transport.ts'
import { createSeededRng, deriveSeed } from '../../core/rng/seededRng.ts'
import type { FederatedRunPlan } from '../config/planRun.ts'
import { createAdrmStages } from '../defence/createAdrmStages.ts'
import { createLedgerStage } from '../ledger/createLedgerStage.ts'
import { expectReply } from '../msfl/expectReply.ts'
import { trackSettlement } from '../msflLedger.ts'
import type { RoundStages } from '../roundStages.ts'
import { collectReplies } from '../rounds/collectReplies.ts'
import { collectLedgerClaims } from './collectLedgerClaims.ts'
import type { DeployedLedgerSummary, LedgerParties, ProviderLedger } from './msflLedgerParty.ts'
import { requestorFundedSettlement } from './requestorFundedSettlement.ts'

/**
 * What the provider runs `defence: adrm` with (openDeployedAdrm): ADRM's validation rows and
 * its account on the run's chain.
 */
export interface DeployedAdrmAdapters {
  /** The validation rows held back from the owners (holdOutValidation), not yet scaled. */
  readonly validation: Dataset
  readonly ledger: ProviderLedger
  /** The digest the ledger records for a model (keccak256). */
  readonly modelDigest: (bytes: Uint8Array) => Uint8Array
}

/** What serveFederation knows that openJobAdrm needs. */
export interface JobAdrmParameters {
  readonly runId: string
  readonly plan: FederatedRunPlan
  readonly owners: readonly string[]
  readonly requestor?: string
  readonly transport: Transport
  /** A durable journal: refused, ADRM's state cannot be resumed. */
  readonly journal?: unknown
  readonly adrm?: DeployedAdrmAdapters
  readonly emit: EventSink
  readonly now: () => number
}

/** What the provider of a deployed FedAvg job runs `defence: adrm` with. */
export interface DeployedAdrmParameters {
  readonly runId: string
  /** The job's ADRM settings (`labels=none`: a deployment knows no attackers). */
  readonly config: AdrmConfig
  /** The job's seed: ADRM's isolation forest draws from deriveSeed(seed, 'adrm'), as in simulation. */
  readonly seed: number
  /** Wei per reputation point: the job's `msfl.pricePerComponent`. */
  readonly pricePerComponent: number
  readonly owners: readonly string[]
  /** The requestor's node id: it opens and funds every round's payment. */
  readonly requestor: string
  readonly transport: Transport
  /** The provider's account on the run's chain: it deploys the contract, registers models, settles. */
  readonly ledger: ProviderLedger
  readonly model: Model
  /** The validation rows held back from the owners, scaled as the owners agreed: the model manager's accuracy. */
  readonly validation: Dataset
  /** The digest the ledger records for a model (keccak256). */
  readonly modelDigest: (bytes: Uint8Array) => Uint8Array
  readonly deadlineMs: number
  readonly emit: EventSink
  readonly now: () => number
}

/** What ADRM decided in a deployed run and what the chain paid. */
export interface DeployedAdrmSummary {
  /** Final reputations, blocks, quarantine, model versions (no detection metrics: no labels). */
  readonly adrm: AdrmSnapshot
  /** Who was inspected and flagged, per round. */
  readonly inspections: readonly {
    readonly round: number
    readonly inspected: readonly string[]
    readonly flagged: readonly string[]
  }[]
  readonly rollbacks: readonly { readonly round: number; readonly toVersion: number }[]
  readonly blocks: readonly {
    readonly round: number
    readonly clientId: string
    readonly reason: string
  }[]
  /** Deposits, payouts by name, refunds and the escrow left, read from the chain's events. */
  readonly ledger: DeployedLedgerSummary
}

/** ADRM's round stages on the provider, and its summary at the end. */
export interface DeployedAdrm {
  readonly stages: Required<Pick<RoundStages, 'available' | 'screen' | 'review' | 'publish'>>
  summary(): Promise<DeployedAdrmSummary>
}

/**
 * `defence: adrm` in a deployed FedAvg job, at the provider (the party that aggregates the
 * plaintext updates, so the one that sees them): the simulation's round stages
 * (createAdrmStages, createLedgerStage, composed as openDefences composes them) on a chain
 * every party reaches. Before round 1 it collects every party's signed address, deploys
 * the contract from its own account and sends the terms to the requestor and the owners,
 * who each accept them. Each round the provider registers the model's digest; the requestor
 * opens the round's reputation table with its deposit (requestorFundedSettlement); the
 * provider checks it is funded and settles, which pays the owners.
 */
export async function openDeployedAdrm(p: DeployedAdrmParameters): Promise<DeployedAdrm> {
  const claims = await collectLedgerClaims(p)
  const terms = await p.ledger.publish(BigInt(p.pricePerComponent))
  const parties: LedgerParties = {
    requestor: claims.get(p.requestor)!.address,
    provider: p.ledger.address,
    owners: Object.fromEntries(p.owners.map((o) => [o, claims.get(o)!.address])),
  }
  const own = await p.ledger.settle(terms, parties, 'provider')
  await sendTerms(p, terms, claims)
  const events: Parameters<EventSink>[0][] = []
  const emit: EventSink = (event) => {
    if (event.type === 'model-rolled-back' || event.type === 'client-blocked') events.push(event)
    p.emit(event)
  }
  const adrm = createAdrmStages({
    runId: p.runId,
    adrm: createAdrm(p.config, createSeededRng(deriveSeed(p.seed, 'adrm'))),
    model: p.model,
    validation: p.validation,
    labels: { kind: 'none' },
    emit,
    now: p.now,
  })
  const tracked = trackSettlement(
    requestorFundedSettlement({
      settlement: own,
      runId: p.runId,
      requestor: p.requestor,
      transport: p.transport,
      deadlineMs: p.deadlineMs,
    }),
  )
  const ledgerStage = createLedgerStage({
    runId: p.runId,
    settlement: tracked.settlement,
    spec: p.model.spec,
    digest: p.modelDigest,
    owners: p.owners,
    payoutPoints: adrm.payoutPoints,
    emit,
    now: p.now,
  })
  return {
    stages: {
      available: adrm.available,
      screen: adrm.screen,
      review: adrm.review,
      async publish(round, params, accepted) {
        if (round === 0) adrm.start(params)
        await ledgerStage.publish!(round, params, accepted)
      },
    },
    async summary() {
      return {
        adrm: adrm.snapshot(),
        inspections: adrm.detectionRounds(),
        rollbacks: events.flatMap((e) =>
          e.type === 'model-rolled-back' ? [{ round: e.round, toVersion: e.toVersion }] : [],
        ),
        blocks: events.flatMap((e) =>
          e.type === 'client-blocked'
            ? [{ round: e.round, clientId: e.clientId, reason: e.reason }]
            : [],
        ),
        ledger: await p.ledger.totals(terms, parties),
      }
    },
  }
}

/** The chain, the contract and every signed address, to the requestor and each owner; all must accept. */
async function sendTerms(
  p: DeployedAdrmParameters,
  ledger: LedgerTerms,
  claims: ReadonlyMap<string, LedgerAddress>,
): Promise<void> {
  const request: ProtocolMessage = {
    type: 'payment-terms',
    runId: p.runId,
    ledger,
    provider: p.ledger.claim(),
    requestor: claims.get(p.requestor)!,
    owners: p.owners.map((o) => claims.get(o)!),
  }
  const asked = [p.requestor, ...p.owners]
  const outcomes = await collectReplies(p.transport, new Map(asked.map((id) => [id, request])), {
    deadlineMs: p.deadlineMs,
  })
  for (const outcome of outcomes) {
    const id = outcome.clientId
    if (!('reply' in outcome))
      throw new MsflError('PROTOCOL', `${id} did not answer the payment terms`)
    const accepted = expectReply(paymentTermsAcceptedSchema, outcome.reply, `${id}`)
    if (accepted.clientId !== id || accepted.runId !== p.runId)
      throw new MsflError('PROTOCOL', `${id} accepted the payment terms of another run or party`)
  }
}

/**
 * The job's `defence: adrm` at the provider (openDeployedAdrm) with the validation rows as the owners'
 * scaling left them, or undefined without it. ADRM's reputations live in memory only, so such
 * a run keeps no journal; and the requestor must take part: it pays.
 */
export async function openJobAdrm(
  p: JobAdrmParameters,
  model: Model,
  validation: Dataset | undefined,
): Promise<DeployedAdrm | undefined> {
  const config = p.plan.defences?.adrm
  if (!config) return undefined
  if (p.journal)
    throw new MsflError(
      'CONFIG_INVALID',
      "defence: ADRM's reputations and blocks live only in memory, so the run keeps no journal and cannot resume",
    )
  if (!p.adrm || !validation)
    throw new MsflError(
      'CONFIG_INVALID',
      'defence: the provider was given no ledger or validation rows for ADRM',
    )
  if (!p.requestor)
    throw new MsflError(
      'CONFIG_INVALID',
      'defence: ADRM pays by reputation and the requestor pays: name the requestor',
    )
  return openDeployedAdrm({
    runId: p.runId,
    config,
    seed: p.plan.basics.seed,
    pricePerComponent: p.plan.defences!.pricePerComponent,
    owners: p.owners,
    requestor: p.requestor,
    transport: p.transport,
    ledger: p.adrm.ledger,
    model,
    validation,
    modelDigest: p.adrm.modelDigest,
    deadlineMs: p.plan.basics.deadlineMs,
    emit: p.emit,
    now: p.now,
  })
}
