import { constantTimeEqual } from '../../core/crypto/constantTimeEqual.ts'
import type { Dataset } from '../../core/data/dataset.ts'
import {
  applyFeatureScaling,
  type FeatureScalingPlan,
  rangeScaling,
} from '../../core/data/featureScaling.ts'
import {
  describeDataSchema,
  type ProtectionTerms,
  privacySpentRequestSchema,
  protectionTermsSchema,
  type RunEnded,
} from '../../core/deploy/deploymentMessages.ts'
import { createTrainingClient } from '../../core/fl/createTrainingClient.ts'
import type { Model } from '../../core/model/model.ts'
import type { SecaggCrypto } from '../../core/ports/secaggCrypto.ts'
import type { MessageHandler } from '../../core/ports/transport.ts'
import { createScalingOwner, type ScalingOwner } from '../../core/scaling/createScalingOwner.ts'
import { encodeMessage } from '../../core/wire/encodeMessage.ts'
import type { UpdateProtection } from '../privacy/updateProtection.ts'
import { acceptRunEnd, type RunEndSignal } from './acceptRunEnd.ts'
import { answerRunRequest } from './answerRunRequest.ts'
import type { OwnerPayment } from './createOwnerPayment.ts'
import type { OwnerDp } from './openOwnerDp.ts'
import { trainingSeedOf } from './trainingSeedOf.ts'

/** What a data owner's process serves a deployed job with: its own rows and the job's terms. */
export interface OwnerParticipantParameters {
  readonly runId: string
  /** This owner's node id: the name in its certificate. */
  readonly clientId: string
  /** The owner's own rows, encoded with the job's declared schema, not yet scaled. */
  readonly data: Dataset
  /** The job's numeric features to standardise (absent when none are). */
  readonly scaling: FeatureScalingPlan | undefined
  /** How many owners the job has: a sole owner may send its statistics unmasked. */
  readonly owners: number
  readonly model: Model
  /** The job's seed: batch shuffling is reproducible, as in simulation. */
  readonly seed: number
  readonly crypto: SecaggCrypto
  /**
   * A protected job (`privacy: secagg|ckks|paillier`): the protection's owner side, opened
   * once the provider sends the job's `protection-terms` (after checking the key holder's
   * signed key in them, for ckks and paillier); every update then leaves protected.
   */
  readonly openProtection?: (terms: ProtectionTerms) => Promise<UpdateProtection>
  /**
   * `privacy: dp…` (openOwnerDp): the owner trains with its own DP (and noises its feature
   * statistics at sample level, or scales by the declared ranges at client level).
   */
  readonly dp?: OwnerDp
  /**
   * `defence: adrm` (createOwnerPayment): the owner proves its ledger address, accepts the
   * payment terms and trains only on a model whose digest the provider registered on the
   * chain; without it, those messages are refused.
   */
  readonly payment?: OwnerPayment
}

/** An owner's handler, and the run's end as the provider announced it. */
export interface OwnerParticipant extends MessageHandler {
  /** Settles when the provider sends `run-ended`. */
  readonly ended: Promise<RunEnded>
}

/**
 * A data owner in a deployed FedAvg job: the same handlers a simulation gives its
 * clients, behind one participant. It answers the provider's `describe-data` with its
 * row count, takes part in the scaling agreement (core/scaling/createScalingOwner.ts),
 * and then trains on its scaled rows (core/fl/createTrainingClient.ts); `run-ended`
 * settles `ended`. Anything else gets an error reply naming the type; the rows never
 * leave this handler.
 */
export function createOwnerParticipant(p: OwnerParticipantParameters): OwnerParticipant {
  const { clientId, runId, dp } = p
  // Client-level DP releases no statistic of the owner's rows: the declared ranges scale them.
  const byRanges = dp?.level === 'client' && p.scaling !== undefined
  const data = byRanges ? applyFeatureScaling(p.data, p.scaling!, rangeScaling(p.scaling!)) : p.data
  const scalingOwner: ScalingOwner | undefined =
    p.scaling && !byRanges
      ? createScalingOwner({
          clientId,
          data,
          plan: p.scaling,
          session: `${runId}/feature-statistics`,
          crypto: p.crypto,
          soleOwner: p.owners === 1,
          ...(dp?.statisticsNoise ? { noise: dp.statisticsNoise } : {}),
        })
      : undefined
  let training: MessageHandler | undefined
  let protectedTraining: MessageHandler | undefined
  let opening = false
  let acceptedTerms: Uint8Array | undefined
  const statisticsSession = `${runId}/feature-statistics`
  const error = (message: string) => ({ type: 'error', clientId, message })
  const trainer = (): MessageHandler => {
    const rows = scalingOwner ? scalingOwner.scaled() : data
    // Its noisy statistics left it when the features were agreed on by secure aggregation.
    const released = scalingOwner !== undefined && (p.scaling?.features.length ?? 0) > 0
    training ??= dp
      ? dp.trainer(rows, released)
      : createTrainingClient({
          clientId,
          model: p.model,
          data: rows,
          seed: trainingSeedOf(p.seed),
        })
    return training
  }
  const end: RunEndSignal = acceptRunEnd(runId, clientId)
  return {
    ended: end.ended,
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
      const answered = p.payment?.handle(message)
      if (answered) return answered
      if (type === 'privacy-spent-request') {
        // An owner never sampled has still released its noisy statistics: its accountant
        // (built with them) says what that cost.
        if (dp && (!scalingOwner || scalingOwner.isScaled())) trainer()
        const spent = dp?.spent()
        if (!spent)
          return error('privacy-spent-request: this owner keeps no sample-level DP budget')
        return answerRunRequest(privacySpentRequestSchema, message, { runId, clientId }, () => ({
          type: 'privacy-spent',
          runId,
          clientId,
          ...spent,
        }))
      }
      if (type === 'protection-terms') {
        const parsed = protectionTermsSchema.safeParse(message)
        if (!p.openProtection) return error('protection-terms: this job protects no updates')
        if (!parsed.success || parsed.data.runId !== runId)
          return error('protection-terms: not this run')
        if (acceptedTerms) {
          // A restarted provider sends them again: the same terms are answered as before,
          // changed ones (another reference count or key holder key mid-run) are refused.
          return constantTimeEqual(encodeMessage(parsed.data), acceptedTerms)
            ? { type: 'protection-terms-accepted', runId, clientId }
            : error('protection-terms: refused mid-run: they differ from the terms accepted')
        }
        if (opening) return error('protection-terms: the terms are being set already')
        opening = true
        let protection: UpdateProtection
        try {
          protection = await p.openProtection(parsed.data)
        } catch (cause) {
          opening = false
          return error(`protection-terms: ${(cause as Error).message}`)
        }
        // Lazily: the trainer takes the rows as the scaling agreement left them.
        protectedTraining = protection.wrapClient(clientId, { handle: (m) => trainer().handle(m) })
        acceptedTerms = encodeMessage(parsed.data)
        return { type: 'protection-terms-accepted', runId, clientId }
      }
      const session = (message as { session?: unknown }).session
      // A protected round's secure aggregation is the protection's; the job's first
      // session, over the feature statistics, is the scaling agreement's.
      if (typeof type === 'string' && type.startsWith('secagg-') && session !== statisticsSession) {
        if (!protectedTraining) return error(`${type}: this job has no protected rounds yet`)
        return protectedTraining.handle(message)
      }
      if (typeof type === 'string' && (type.startsWith('secagg-') || type.startsWith('feature-'))) {
        if (!scalingOwner) return error(`${type}: this job scales no features`)
        // Its noisy statistics are in its privacy ledger before any of them can leave.
        await dp?.beforeStatistics()
        return scalingOwner.handle(message)
      }
      if (type === 'fit') {
        if ((message as { runId?: unknown }).runId !== runId) return error('fit: not this run')
        if (scalingOwner && !scalingOwner.isScaled())
          return error('fit: the feature scaling has not been agreed yet')
        if (p.openProtection && !protectedTraining)
          return error('fit: the protection terms have not been set yet')
        const training = protectedTraining ?? trainer()
        // defence: adrm: the model must be the one the provider registered on the chain.
        return (p.payment ? p.payment.checkModel(training) : training).handle(message)
      }
      return error(`a data owner does not answer ${JSON.stringify(type)}`)
    },
  }
}
