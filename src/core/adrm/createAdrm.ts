import type { Rng } from '../rng/rng.ts'
import type { AdrmNotice, Moment } from './adrmNotice.ts'
import {
  type ChampionChallengerConfig,
  type ChampionChallengerStatus,
  createChampionChallenger,
  DEFAULT_CHAMPION_CHALLENGER,
  replacementNotices,
} from './championChallenger.ts'
import {
  type AnomalyScorer,
  DEFAULT_DETECTION,
  type DetectionConfig,
  detectUpdates,
  type UpdateDecision,
} from './detectUpdates.ts'
import { isolationScore } from './isolationForest.ts'
import {
  createModelManager,
  DEFAULT_MODEL_MANAGER,
  type ModelManager,
  type ModelManagerConfig,
} from './modelManager.ts'
import type { DeviationMemory } from './persistentDeviation.ts'
import { createQuarantine, type Quarantine, type QuarantineCounts } from './quarantine.ts'
import {
  type Block,
  createReputationBook,
  DEFAULT_REPUTATION,
  type ReputationBook,
  type ReputationConfig,
} from './reputationBook.ts'
import { reputationWeights } from './reputationWeights.ts'

/**
 * Where the champion/challenger's labels come from. `none`, a deployment: nobody knows
 * the attackers, so only the first challenger is promoted and later ones wait for labels.
 * `oracle`, simulation only: the runtime labels every round with the true attacker set,
 * which a deployment never has, so numbers measured with it are an upper bound.
 */
export type AdrmLabels = 'none' | 'oracle'

/**
 * Settings of ADRM (adaptive detection, reputation and model management): detection, the optional
 * anomaly model, reputation, quarantine size and model rollback.
 */
export interface AdrmConfig {
  readonly detection: DetectionConfig
  /** The isolation forest and its champion/challenger retraining; absent: off. */
  readonly anomaly?: ChampionChallengerConfig
  readonly reputation: ReputationConfig
  /** Flagged updates held at most. */
  readonly quarantineCapacity: number
  readonly models: ModelManagerConfig
  /** Label feedback for the runtime to give `labelRound`; createAdrm itself never reads it. */
  readonly labels: AdrmLabels
}

export const DEFAULT_ADRM: AdrmConfig = {
  detection: DEFAULT_DETECTION,
  anomaly: DEFAULT_CHAMPION_CHALLENGER,
  reputation: DEFAULT_REPUTATION,
  quarantineCapacity: 100,
  models: DEFAULT_MODEL_MANAGER,
  labels: 'none',
}

/** One update as the server received it: the change to the global model (or a gradient). */
export interface AdrmUpdate {
  readonly clientId: string
  readonly numExamples: number
  readonly update: Float64Array
}

/**
 * What ADRM decided about one round's updates before aggregation: a decision per update, the
 * accepted updates and their weights.
 */
export interface Inspection {
  /** One per inspected update, in input order (refused ones have none). */
  readonly decisions: readonly UpdateDecision[]
  /** Updates to aggregate, in input order. */
  readonly accepted: readonly AdrmUpdate[]
  /** Aggregation weights of the accepted updates: numExamples × reputation / 100. */
  readonly weights: Readonly<Record<string, number>>
  /** Clients whose update was quarantined this round. */
  readonly quarantined: readonly string[]
  /** Updates from clients blocked at this moment: neither inspected nor aggregated. */
  readonly refused: readonly { readonly clientId: string; readonly reason: string }[]
  readonly notices: readonly AdrmNotice[]
}

/**
 * What ADRM decided after aggregation: the parameters to continue with, and whether it rolled back.
 */
export interface Review {
  /** The parameters to continue with: the new model, or exactly the restored one. */
  readonly params: Float64Array
  readonly rolledBack: boolean
  /** Version of the model in use after the review. */
  readonly version: number
  readonly notices: readonly AdrmNotice[]
}

/**
 * ADRM's state for reports: reputations, blocked clients, quarantine, anomaly model, model version
 * and rollbacks.
 */
export interface AdrmSnapshot {
  readonly reputations: Readonly<Record<string, number>>
  readonly blocked: readonly Block[]
  readonly quarantine: QuarantineCounts
  readonly anomalyModel?: ChampionChallengerStatus
  readonly model?: { readonly version: number; readonly round: number; readonly accuracy: number }
  readonly rollbacks: number
  readonly inspected: number
  readonly flagged: number
}

/**
 * ADRM, the attack detection and resilience module (SPEC C6), as one state machine
 * the runtime calls each round:
 *
 * 1. `available(clients, when)`: lifts expired blocks and returns who may take part.
 * 2. `inspect(round, at, updates)`: detection before aggregation; flagged updates are
 *    quarantined and penalised, clean ones earn reputation back; returns what to
 *    aggregate and with which weights.
 * 3. `afterAggregation(round, params, validationAccuracy)`: the model manager keeps
 *    the new model or rolls back to the latest accepted version.
 *
 * Every decision and state change comes back as a notice (a run event without run id
 * and timestamp). Pure: time is a parameter, randomness is the injected Rng (it only
 * grows isolation forests; a seeded one makes a run reproducible).
 */
export function createAdrm(config: AdrmConfig, rng: Rng) {
  const book: ReputationBook = createReputationBook(config.reputation)
  const quarantine: Quarantine = createQuarantine(config.quarantineCapacity)
  const models: ModelManager = createModelManager(config.models)
  const anomaly = config.anomaly ? createChampionChallenger(config.anomaly, rng) : undefined
  const memories = new Map<string, DeviationMemory>()
  let rollbacks = 0
  let inspected = 0
  let flaggedCount = 0

  return {
    /** Lifts expired blocks at `when` and returns the clients that are not blocked. */
    available(
      clients: readonly string[],
      when: Moment,
    ): { clients: string[]; notices: AdrmNotice[] } {
      const notices = book.expire(when)
      return { clients: clients.filter((id) => !book.isBlocked(id, when)), notices }
    },

    /** The detection stage of round `round` at clock `at` (ms), before aggregation. */
    inspect(round: number, at: number, updates: readonly AdrmUpdate[]): Inspection {
      const when = { round, at }
      const notices: AdrmNotice[] = [...book.expire(when)]
      const refused: { clientId: string; reason: string }[] = []
      const candidates: AdrmUpdate[] = []
      for (const u of updates) {
        const block = book.block(u.clientId)
        if (block && book.isBlocked(u.clientId, when))
          refused.push({ clientId: u.clientId, reason: `blocked: ${block.reason}` })
        else candidates.push(u)
      }
      if (candidates.length === 0)
        return { decisions: [], accepted: [], weights: {}, quarantined: [], refused, notices }

      const champion = anomaly?.champion()
      const scorer: AnomalyScorer | undefined = champion && {
        score: (row) => isolationScore(champion.forest, row),
        threshold: champion.threshold,
      }
      const detection = detectUpdates(candidates, config.detection, scorer, (id) =>
        memories.get(id),
      )
      for (const decision of detection.decisions)
        if (decision.memory) memories.set(decision.clientId, decision.memory)
      const accepted: AdrmUpdate[] = []
      const quarantined: string[] = []
      detection.decisions.forEach((decision, i) => {
        const u = candidates[i]!
        inspected++
        if (!decision.flagged) {
          accepted.push(u)
          if (decision.severity === 'none') notices.push(...book.recover(u.clientId, when))
          return
        }
        flaggedCount++
        const severity = decision.severity as 'low' | 'medium' | 'high'
        const summary = decision.reasons
          .filter((r) => r.severity === severity)
          .map((r) => r.detail)
          .join('; ')
        notices.push({
          type: 'update-flagged',
          round,
          clientId: u.clientId,
          severity,
          reasons: decision.reasons,
        })
        const { held } = quarantine.hold({
          round,
          at,
          clientId: u.clientId,
          numExamples: u.numExamples,
          update: u.update,
          severity,
          reasons: decision.reasons,
        })
        quarantined.push(u.clientId)
        notices.push({
          type: 'update-quarantined',
          round,
          clientId: u.clientId,
          severity,
          reason: summary,
          held,
        })
        notices.push(...book.penalise(u.clientId, severity, when, summary))
      })

      if (anomaly && detection.rows.length > 0) {
        anomaly.observe(
          round,
          detection.rows.map((row, i) => ({
            clientId: candidates[i]!.clientId,
            row,
            trainable: !detection.decisions[i]!.flagged,
          })),
        )
        notices.push(...replacementNotices(anomaly.retrainIfDue(round)))
      }

      const weightList = reputationWeights(
        accepted.map((u) => ({
          numExamples: u.numExamples,
          reputation: book.reputation(u.clientId),
        })),
        config.reputation.max,
      )
      const weights = Object.fromEntries(accepted.map((u, i) => [u.clientId, weightList[i]!]))
      return {
        decisions: detection.decisions,
        accepted,
        weights,
        quarantined,
        refused,
        notices,
      }
    },

    /**
     * After aggregation: keeps the new global model or rolls back. Call it with round 0
     * and the initial model first, so that round 1 can already be rolled back.
     */
    afterAggregation(round: number, params: Float64Array, validationAccuracy: number): Review {
      const decision = models.consider(round, params, validationAccuracy)
      if (decision.kind === 'accepted')
        return {
          params: decision.params,
          rolledBack: false,
          version: decision.version,
          notices: [],
        }
      rollbacks++
      return {
        params: decision.params,
        rolledBack: true,
        version: decision.toVersion,
        notices: [
          {
            type: 'model-rolled-back',
            round,
            fromVersion: decision.fromVersion,
            toVersion: decision.toVersion,
            accuracyBefore: decision.accuracyBefore,
            accuracyAfter: decision.accuracyAfter,
            margin: decision.margin,
          },
        ],
      }
    },

    /** Labels a past round for the champion/challenger evaluation (simulation: the known attackers). */
    labelRound(round: number, maliciousIds: Iterable<string>): AdrmNotice[] {
      return replacementNotices(anomaly?.labelRound(round, maliciousIds))
    },

    /** An operator lifts a block; the reputation is kept. */
    unblock(clientId: string, when: Moment, reason = 'unblocked by an operator'): AdrmNotice[] {
      return book.unblock(clientId, when, reason)
    },

    /**
     * Reputation points (0 to the configured maximum) of a client; unseen clients have the initial
     * value.
     */
    reputation: (clientId: string) => book.reputation(clientId),
    quarantine,
    models,

    /** A JSON-serialisable summary for the run result, the portal and the TUI. */
    snapshot(): AdrmSnapshot {
      const reputations = book.snapshot()
      const current = models.current()
      return {
        reputations: reputations.reputations,
        blocked: reputations.blocks,
        quarantine: quarantine.counts(),
        ...(anomaly ? { anomalyModel: anomaly.status() } : {}),
        ...(current
          ? {
              model: {
                version: current.version,
                round: current.round,
                accuracy: current.validationAccuracy,
              },
            }
          : {}),
        rollbacks,
        inspected,
        flagged: flaggedCount,
      }
    },
  }
}

/** An ADRM instance, as `createAdrm` returns it. */
export type Adrm = ReturnType<typeof createAdrm>
