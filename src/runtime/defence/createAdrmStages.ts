import type { AdrmNotice } from '../../core/adrm/adrmNotice.ts'
import type { Adrm, AdrmSnapshot } from '../../core/adrm/createAdrm.ts'
import type { Dataset } from '../../core/data/dataset.ts'
import type { EventSink } from '../../core/events/runEvent.ts'
import type { FitResult } from '../../core/fl/messages.ts'
import { vectorDifference } from '../../core/fl/vectorDifference.ts'
import type { DetectionRound } from '../../core/metrics/detectionMetrics.ts'
import { evaluateModel } from '../../core/metrics/evaluateModel.ts'
import type { Model } from '../../core/model/model.ts'
import type { RoundStages, ScreenOutcome } from '../roundStages.ts'

/**
 * What ADRM needs to run as round stages: the ADRM instance, the model, the requestor's validation
 * set, the event sink and the clock.
 */
export interface AdrmStageParameters {
  readonly runId: string
  readonly adrm: Adrm
  readonly model: Model
  /** The model requestor's validation set (the model manager's accuracy). */
  readonly validation: Dataset
  /**
   * Label feedback for the champion/challenger (`--defence adrm:labels=…`): none, as in
   * a deployment, or the simulation's true attackers (oracle: an upper bound, never the default).
   */
  readonly labels: AdrmLabelFeedback
  readonly emit: EventSink
  /** Milliseconds since the Unix epoch; injected so tests control time. */
  readonly now: () => number
}

/** Where ADRM's champion/challenger labels come from: nowhere (a deployment), or the simulation's true attacker set. */
export type AdrmLabelFeedback =
  | { readonly kind: 'none' }
  | { readonly kind: 'oracle'; readonly attackers: ReadonlySet<string> }

/** ADRM as round stages of the plaintext engine, with its reports. */
export interface AdrmStages extends Pick<RoundStages, 'available' | 'screen' | 'review'> {
  /** The clients that may be sampled this round: the ones ADRM has not blocked. */
  available(round: number, clients: readonly string[]): readonly string[]
  /** Inspects every update: flagged ones are quarantined, the rest weighted by reputation. */
  screen(
    round: number,
    params: Float64Array,
    accepted: readonly FitResult[],
  ): Promise<ScreenOutcome>
  /** Keeps the new model, or rolls back when validation accuracy dropped by more than the margin. */
  review(round: number, previous: Float64Array, next: Float64Array): Promise<Float64Array>
  /** Round 0: the initial model becomes version 0, so round 1 can already be rolled back. */
  start(params: Float64Array): void
  /** Who was inspected and who was flagged, per round (for precision and recall). */
  detectionRounds(): readonly DetectionRound[]
  /** Reputation points (0..100) of the owners whose update was aggregated in `round`. */
  payoutPoints(round: number, paid: readonly string[]): Record<string, number>
  /** ADRM's current state for reports. */
  snapshot(): AdrmSnapshot
}

/**
 * ADRM as round stages of the plaintext engine: blocked clients are not sampled; every
 * update is inspected before aggregation (flagged ones are quarantined, the rest are
 * weighted by reputation); the aggregated model is kept only if validation accuracy
 * has not dropped by more than the margin. Every decision becomes a run event.
 */
export function createAdrmStages(p: AdrmStageParameters): AdrmStages {
  const { adrm } = p
  const report = (notices: readonly AdrmNotice[]) => {
    for (const notice of notices) p.emit({ ...notice, runId: p.runId, at: p.now() })
  }
  const accuracyOf = (params: Float64Array) =>
    evaluateModel(p.model, params, p.validation).accuracy ?? 0
  const rounds: DetectionRound[] = []
  return {
    start(params) {
      report(adrm.afterAggregation(0, params, accuracyOf(params)).notices)
    },
    available(round, clients) {
      const { clients: open, notices } = adrm.available(clients, { round, at: p.now() })
      report(notices)
      return open
    },
    async screen(round, params, accepted) {
      const inspection = adrm.inspect(
        round,
        p.now(),
        accepted.map((r) => ({
          clientId: r.clientId,
          numExamples: r.numExamples,
          update: r.kind === 'params' ? vectorDifference(r.vector, params) : r.vector,
        })),
      )
      report(inspection.notices)
      rounds.push({
        round,
        inspected: inspection.decisions.map((d) => d.clientId),
        flagged: inspection.decisions.filter((d) => d.flagged).map((d) => d.clientId),
      })
      const { labels } = p
      if (labels.kind === 'oracle')
        report(
          adrm.labelRound(
            round,
            inspection.decisions.map((d) => d.clientId).filter((id) => labels.attackers.has(id)),
          ),
        )
      const keep: FitResult[] = []
      const excluded = [...inspection.quarantined, ...inspection.refused.map((r) => r.clientId)]
      for (const r of accepted) {
        const weight = inspection.weights[r.clientId]
        if (weight === undefined) continue
        // Reputation-weighted aggregation: the weight replaces the example count, rounded
        // to a whole count (the verifier nodes take public integer weights).
        const count = Math.round(weight)
        if (count > 0) keep.push({ ...r, numExamples: count })
        else excluded.push(r.clientId)
      }
      return { accepted: keep, excluded }
    },
    async review(round, _previous, next) {
      const review = adrm.afterAggregation(round, next, accuracyOf(next))
      report(review.notices)
      return review.params
    },
    detectionRounds: () => [...rounds],
    snapshot: () => adrm.snapshot(),
    payoutPoints(_round, paid) {
      return Object.fromEntries(paid.map((id) => [id, Math.floor(adrm.reputation(id))]))
    },
  }
}
