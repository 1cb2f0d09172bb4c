import type { Dataset } from '../../core/data/dataset.ts'
import type { FeatureScalingPlan } from '../../core/data/featureScaling.ts'
import { l2NormalizeRows } from '../../core/data/l2NormalizeRows.ts'
import { describeDataSchema, type RunEnded } from '../../core/deploy/deploymentMessages.ts'
import {
  ledgerAddressRequestSchema,
  type MsflOwnerTerms,
  type MsflPublicKey,
  msflOwnerTermsSchema,
} from '../../core/deploy/msflDeploymentMessages.ts'
import { ownerTermsChange } from '../../core/deploy/msflTermsChange.ts'
import { describeZodError } from '../../core/errors/describeZodError.ts'
import { createBlockLayout } from '../../core/msfl/blockLayout.ts'
import { createMsflDataOwner } from '../../core/msfl/createMsflDataOwner.ts'
import { msflModelShape } from '../../core/msfl/msflModel.ts'
import type { HeEvaluator } from '../../core/ports/he.ts'
import type { SecaggCrypto } from '../../core/ports/secaggCrypto.ts'
import type { MessageHandler } from '../../core/ports/transport.ts'
import type { Rng } from '../../core/rng/rng.ts'
import { deriveSeed } from '../../core/rng/seededRng.ts'
import { createScalingOwner } from '../../core/scaling/createScalingOwner.ts'
import { acceptRunEnd } from './acceptRunEnd.ts'
import { answerRunRequest } from './answerRunRequest.ts'
import type { MsflLedgerParty } from './msflLedgerParty.ts'

/** How a party that never decrypts uses the requestor's public key: check it, then compute under it. */
export interface RequestorKeyUse {
  /** Checks the requestor's signature on its public key (kit CA, role requestor); throws. */
  checkPublicKey(publicKey: MsflPublicKey): void
  /** An evaluator of the requestor's public material: it can encrypt and compute, never decrypt. */
  createEvaluator(material: Uint8Array): Promise<HeEvaluator & { dispose(): void }>
}

/** What a data owner's process serves an MS-FL job with: its rows, the job's terms, its adapters. */
export interface MsflOwnerParticipantParameters extends RequestorKeyUse {
  readonly runId: string
  /** This owner's node id: the name in its certificate. */
  readonly clientId: string
  /** The owner's own rows, encoded with the job's declared schema, not yet scaled. */
  readonly data: Dataset
  readonly scaling: FeatureScalingPlan | undefined
  /** How many owners the job has: a sole owner may send its statistics unmasked. */
  readonly owners: number
  /** The job's seed: the batches are drawn as in simulation (deriveSeed(seed, 'training')). */
  readonly seed: number
  /** The job's `msfl.batchSize`. */
  readonly batchSize: number
  /** Slots of the job's CKKS preset (the block layout depends on it). */
  readonly slots: number
  readonly crypto: SecaggCrypto
  /** This owner's account on the run's chain. */
  readonly ledger: MsflLedgerParty
  /** The CSPRNG the gradient's noise flooding draws from. */
  readonly floodRng: Rng
}

/** An owner's handler, the run's end, and the terms it accepted. */
export interface MsflOwnerParticipant extends MessageHandler {
  readonly ended: Promise<RunEnded>
  /** The terms the owner accepted (undefined before `msfl-owner-terms`). */
  terms(): MsflOwnerTerms | undefined
  /** Frees the evaluator's memory. */
  dispose(): void
}

/**
 * A data owner of a deployed MS-FL job. It answers the provider as a simulated owner does —
 * its row count, the scaling agreement, then each round's gradient on the encrypted model
 * (core/msfl/createMsflDataOwner.ts) on its L2-normalised scaled rows — plus its signed
 * ledger address. It encrypts nothing before it has checked that the public key it is
 * given was signed by the federation's requestor and that the chain holds the settlement
 * contract: a provider that swapped in a key of its own could otherwise read its gradients.
 */
export function createMsflOwnerParticipant(
  p: MsflOwnerParticipantParameters,
): MsflOwnerParticipant {
  const { clientId, runId } = p
  const statisticsSession = `${runId}/feature-statistics`
  const scalingOwner = p.scaling
    ? createScalingOwner({
        clientId,
        data: p.data,
        plan: p.scaling,
        session: statisticsSession,
        crypto: p.crypto,
        soleOwner: p.owners === 1,
      })
    : undefined
  const end = acceptRunEnd(runId, clientId)
  const error = (message: string) => ({ type: 'error', clientId, message })
  let accepted: MsflOwnerTerms | undefined
  let opening = false
  let evaluator: (HeEvaluator & { dispose(): void }) | undefined
  let owner: MessageHandler | undefined

  const acceptTerms = async (message: unknown): Promise<unknown> => {
    const parsed = msflOwnerTermsSchema.safeParse(message)
    if (!parsed.success) return error(describeZodError(parsed.error, 'msfl-owner-terms'))
    const terms = parsed.data
    if (terms.runId !== runId) return error('msfl-owner-terms: not this run')
    if (accepted) {
      // A restarted provider may send them again: the same terms are answered as before,
      // changed ones (another contract, price or key mid-run) are refused.
      const change = ownerTermsChange(accepted, terms)
      return change === undefined
        ? { type: 'msfl-owner-terms-accepted', runId, clientId }
        : error(`msfl-owner-terms: refused mid-run: ${change}`)
    }
    if (opening) return error('msfl-owner-terms: the terms are being set already')
    if (scalingOwner && !scalingOwner.isScaled())
      return error('msfl-owner-terms: the feature scaling has not been agreed yet')
    opening = true
    try {
      p.checkPublicKey(terms.publicKey)
      await p.ledger.check(terms.ledger)
      evaluator = await p.createEvaluator(terms.publicKey.material)
    } catch (cause) {
      opening = false
      return error(`msfl-owner-terms: ${(cause as Error).message}`)
    }
    // Unit rows keep the cubic sigmoid in its accurate range, as in simulation.
    const rows = l2NormalizeRows(scalingOwner ? scalingOwner.scaled() : p.data)
    owner = createMsflDataOwner({
      clientId,
      he: evaluator,
      layout: createBlockLayout(rows.d, p.batchSize, p.slots),
      shape: msflModelShape(rows),
      data: rows,
      batchSize: p.batchSize,
      seed: deriveSeed(p.seed, 'training'),
      floodRng: p.floodRng,
    })
    accepted = terms
    return { type: 'msfl-owner-terms-accepted', runId, clientId }
  }

  return {
    ended: end.ended,
    terms: () => accepted,
    dispose: () => evaluator?.dispose(),
    async handle(message: unknown): Promise<unknown> {
      const type = (message as { type?: unknown } | null)?.type
      if (type === 'describe-data')
        return answerRunRequest(describeDataSchema, message, { runId, clientId }, () => ({
          type: 'data-description',
          runId,
          clientId,
          rows: p.data.n,
        }))
      if (type === 'run-ended') return end.handle(message)
      if (type === 'ledger-address-request')
        return answerRunRequest(ledgerAddressRequestSchema, message, { runId, clientId }, () =>
          p.ledger.claim(),
        )
      if (type === 'msfl-owner-terms') return acceptTerms(message)
      if (typeof type === 'string' && (type.startsWith('secagg-') || type.startsWith('feature-'))) {
        if (!scalingOwner) return error(`${type}: this job scales no features`)
        const session = (message as { session?: unknown }).session
        if (type.startsWith('secagg-') && session !== statisticsSession)
          return error(
            `${type}: an MS-FL job's one secure aggregation is over the feature statistics`,
          )
        return scalingOwner.handle(message)
      }
      if (type === 'msfl-gradient-request') {
        if (!owner) return error('msfl-gradient-request: the run terms have not been accepted yet')
        return owner.handle(message)
      }
      return error(`a data owner does not answer ${JSON.stringify(type)}`)
    },
  }
}
