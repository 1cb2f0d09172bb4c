import type { Dataset } from '../../core/data/dataset.ts'
import type { FeatureScaling, FeatureScalingPlan } from '../../core/data/featureScaling.ts'
import {
  type LedgerAddress,
  type LedgerTerms,
  type MsflPublicKey,
  msflOwnerTermsAcceptedSchema,
  msflPublicKeySchema,
} from '../../core/deploy/msflDeploymentMessages.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import { createRunEmitter, reportRunFailure } from '../../core/events/createRunEmitter.ts'
import type { EventSink, MsflRoundRecord } from '../../core/events/runEvent.ts'
import { createBlockLayout } from '../../core/msfl/blockLayout.ts'
import { msflModelShape } from '../../core/msfl/msflModel.ts'
import type { HeEvaluator } from '../../core/ports/he.ts'
import type { SecaggCrypto } from '../../core/ports/secaggCrypto.ts'
import type { ProtocolMessage, Transport } from '../../core/ports/transport.ts'
import type { Rng } from '../../core/rng/rng.ts'
import type { MsflRunPlan } from '../config/planRun.ts'
import { describeMsflModel } from '../msfl/describeMsflModel.ts'
import { expectReply } from '../msfl/expectReply.ts'
import type { MsflJournal } from '../orchestrator/openMsflJournal.ts'
import { collectReplies } from '../rounds/collectReplies.ts'
import { type RoundEvaluation, summarise } from '../rounds/roundEvaluation.ts'
import { runMsflProtocol } from '../runMsflProtocol.ts'
import { agreeMsflTerms, storedMsflTerms } from './agreeMsflTerms.ts'
import type { RequestorKeyUse } from './createMsflOwnerParticipant.ts'
import type { DeployedLedgerSummary, ProviderLedger } from './msflLedgerParty.ts'
import { resumeMsflRun } from './resumeMsflRound.ts'
import { announceEnd } from './serveFederation.ts'

/** What the service provider of a deployed MS-FL job needs (it holds public key material only). */
export interface ServeMsflParameters extends RequestorKeyUse {
  readonly runId: string
  readonly plan: MsflRunPlan
  /** The owners' node ids, in the job's order. */
  readonly owners: readonly string[]
  /** The requestor's node id: it holds the CKKS secret key and pays. */
  readonly requestor: string
  readonly transport: Transport
  /** The job's public test rows: only their shape (features, classes) is used here. */
  readonly test: Dataset
  readonly scaling: FeatureScalingPlan | undefined
  readonly crypto: SecaggCrypto
  /** Slots of the job's CKKS preset. */
  readonly slots: number
  /** The provider's account on the run's chain: it deploys the contract, delivers and declines. */
  readonly ledger: ProviderLedger
  /** The CSPRNG the masks are drawn from. */
  readonly maskRng: Rng
  /**
   * The run's durable journal (msfl server's run store): the terms and every round step are
   * written before they are acted on, and a restarted provider continues the run from it.
   */
  readonly journal?: MsflJournal
  /** SHA-256 of the aggregate's bytes, recorded on the ledger at delivery. */
  digest(parts: readonly Uint8Array[]): Uint8Array
  readonly emit: EventSink
  readonly now: () => number
}

/** A deployed MS-FL run as the provider saw it: its rounds, the requestor's last metrics, the chain's totals. */
export interface ServedMsfl {
  readonly history: readonly MsflRoundRecord[]
  /** The requestor's test metrics after the last round, as it reported them. */
  readonly final: RoundEvaluation
  readonly ledger: DeployedLedgerSummary
}

/**
 * The service provider of a deployed MS-FL job, on the protocol code a simulation runs
 * (runMsflProtocol). Before round 1: the owners' row counts and the scaling agreement (as
 * serveFederation), every party's signed ledger address (each checked against its
 * certificate), the settlement contract deployed from the provider's own account, the
 * terms to the requestor (chain, addresses, scaling; it answers with its signed public
 * key) and to every owner (the requestor's key, which each owner checks itself). The
 * provider signs only its own transactions (deliver, decline); the requestor deposits and
 * registers models with its key. Every participant is told the run's end, also on failure.
 */
export async function serveMsfl(p: ServeMsflParameters): Promise<ServedMsfl> {
  const { plan, runId, owners } = p
  const { basics, msfl } = plan
  if (owners.length !== basics.clients)
    throw new MsflError(
      'CONFIG_INVALID',
      `clients: the job has ${basics.clients} owners, ${owners.length} were named`,
    )
  const event = createRunEmitter(p)
  const participants = [...owners, p.requestor]
  let he: (HeEvaluator & { dispose(): void }) | undefined
  try {
    const agreed = await agreeMsflTerms(p)
    const { rows, scaling, terms, parties, claims } = agreed
    const settlement = await p.ledger.settle(terms, parties)
    const publicKey = await requestorTerms(p, terms, claims, scaling)
    // A restarted provider asks the requestor for its key again (it keeps no copy); the owners
    // accepted the terms before and keep them, so they are not sent again.
    if (!p.journal?.terms) {
      await ownerTerms(p, terms, publicKey)
      await p.journal?.recordTerms(storedMsflTerms(p.journal.job, agreed))
    }
    he = await p.createEvaluator(publicKey.material)
    const shape = msflModelShape(p.test)
    const layout = createBlockLayout(p.test.d, msfl.batchSize, p.slots)
    event('run-started', {
      dataset: basics.dataset,
      model: describeMsflModel(shape.heads),
      strategy: `msfl (${plan.he}, mask=${msfl.mask}, ${plan.selectionRule})`,
      clients: basics.clients,
      rounds: basics.rounds,
      numParams: layout.components * shape.heads,
      trainRows: rows.reduce((a, b) => a + b, 0),
      testRows: p.test.n,
      attackers: {},
    })
    const resumed = await resumeMsflRun(p, terms, parties, settlement)
    const earlier = resumed?.history ?? []
    let final: RoundEvaluation = resumed?.final ?? { loss: Number.NaN }
    const over = resumed !== undefined && resumed.firstRound > basics.rounds
    // The last round was closed from the chain while the restart was checked: the run is over.
    if (over) event('run-completed', { rounds: basics.rounds, final: summarise(final) })
    const ran = over
      ? []
      : await runMsflProtocol({
          runId,
          rounds: basics.rounds,
          he,
          layout,
          heads: shape.heads,
          transport: p.transport,
          requestor: p.requestor,
          owners,
          settlement,
          maskMode: msfl.mask,
          minOwners: msfl.minOwners,
          maskRng: p.maskRng,
          digest: p.digest,
          deadlineMs: basics.deadlineMs,
          // The provider holds no weights: the round's metrics are the requestor's report.
          evaluate: (_round, closed) => {
            final = {
              loss: closed.loss ?? Number.NaN,
              ...(closed.accuracy === undefined ? {} : { accuracy: closed.accuracy }),
            }
            return final
          },
          ...(p.journal ? { journal: p.journal } : {}),
          ...(resumed ? { firstRound: resumed.firstRound } : {}),
          emit: p.emit,
          now: p.now,
        })
    const history = [...earlier, ...ran]
    const ledger = await p.ledger.totals(terms, parties)
    await announceEnd(p, participants, 'completed', 'the run completed')
    return { history, final, ledger }
  } catch (error) {
    reportRunFailure(event, error)
    const reason = error instanceof Error ? error.message : String(error)
    await p.journal?.fail(reason)
    await announceEnd(p, participants, 'failed', reason.slice(0, 2000))
    throw error
  } finally {
    he?.dispose()
  }
}

/** The requestor's terms; its reply is its public key, whose signature is checked here too. */
async function requestorTerms(
  p: ServeMsflParameters,
  ledger: LedgerTerms,
  claims: ReadonlyMap<string, LedgerAddress>,
  scaling: FeatureScaling | undefined,
): Promise<MsflPublicKey> {
  const reply = await p.transport.request(
    p.requestor,
    {
      type: 'msfl-requestor-terms',
      runId: p.runId,
      ledger,
      provider: p.ledger.claim(),
      owners: p.owners.map((o) => claims.get(o)!),
      ...(scaling ? { scaling: { mean: [...scaling.mean], std: [...scaling.std] } } : {}),
    },
    { deadlineMs: p.plan.basics.deadlineMs },
  )
  const publicKey = expectReply(msflPublicKeySchema, reply, `the requestor ${p.requestor}`)
  if (publicKey.runId !== p.runId || publicKey.clientId !== p.requestor)
    throw new MsflError(
      'PROTOCOL',
      `the requestor's public key is not ${p.requestor}'s for this run`,
    )
  p.checkPublicKey(publicKey)
  return publicKey
}

/**
 * How many owners are sent the run terms at once. The terms carry the requestor's public material (about
 * 67 MB with ckks-16384), and each owner then spends seconds of CPU loading it: with two in
 * flight, one owner loads while the next one's bytes travel, and an envelope shares the link
 * with one other only, so none waits long enough in the send queue to outlive the
 * transport's freshness window (all five at once did on a loaded 2-core machine).
 */
const OWNER_TERMS_IN_FLIGHT = 2

/** Every owner must accept the terms (it checks the requestor's key itself) before round 1. */
async function ownerTerms(
  p: ServeMsflParameters,
  ledger: LedgerTerms,
  publicKey: MsflPublicKey,
): Promise<void> {
  const request: ProtocolMessage = { type: 'msfl-owner-terms', runId: p.runId, ledger, publicKey }
  const waiting = [...p.owners]
  let failed = false
  const lane = async () => {
    for (let id = waiting.shift(); id !== undefined && !failed; id = waiting.shift()) {
      try {
        await ownerAccepts(p, request, id)
      } catch (error) {
        failed = true
        throw error
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(OWNER_TERMS_IN_FLIGHT, waiting.length) }, lane))
}

async function ownerAccepts(
  p: ServeMsflParameters,
  request: ProtocolMessage,
  id: string,
): Promise<void> {
  const [outcome] = await collectReplies(p.transport, new Map([[id, request]]), {
    deadlineMs: p.plan.basics.deadlineMs,
  })
  if (!outcome || !('reply' in outcome))
    throw new MsflError('PROTOCOL', `owner ${id} did not answer the run terms`)
  const accepted = expectReply(msflOwnerTermsAcceptedSchema, outcome.reply, `owner ${id}`)
  if (accepted.clientId !== id || accepted.runId !== p.runId)
    throw new MsflError('PROTOCOL', `owner ${id} accepted the terms of another run or owner`)
}
