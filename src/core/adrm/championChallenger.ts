import { rocAuc } from '../metrics/roc.ts'
import type { Rng } from '../rng/rng.ts'
import type { AdrmNotice } from './adrmNotice.ts'
import { fitIsolationForest, type IsolationForest, isolationScore } from './isolationForest.ts'

/** Settings of ADRM's isolation-forest anomaly model and of its champion/challenger retraining. */
export interface ChampionChallengerConfig {
  /** Trees per forest. */
  readonly trees: number
  /** ψ, rows per tree. */
  readonly sampleSize: number
  /** Score from which an update is anomalous when `contamination` is 0. */
  readonly threshold: number
  /** When above 0: the threshold is the (1 − contamination) quantile of the training rows' scores. */
  readonly contamination: number
  /** Rows of recent unflagged updates kept for retraining (oldest dropped first). */
  readonly bufferSize: number
  /** Rows needed before a forest is fitted. */
  readonly minSamples: number
  /** A challenger is fitted every this many rounds. */
  readonly retrainEvery: number
  /** The most recent labelled rounds held out for evaluation (older ones are training data). */
  readonly holdoutRounds: number
  /** Unlabelled rounds remembered so that a late label can still find their rows. */
  readonly historyRounds: number
}

export const DEFAULT_CHAMPION_CHALLENGER: ChampionChallengerConfig = {
  trees: 100,
  sampleSize: 256,
  threshold: 0.7,
  contamination: 0,
  bufferSize: 500,
  minSamples: 40,
  retrainEvery: 5,
  holdoutRounds: 3,
  historyRounds: 100,
}

export interface AnomalyModel {
  readonly forest: IsolationForest
  readonly threshold: number
  readonly trainedAtRound: number
}

/** One row of one update, as the detection stage produced it. */
export interface ObservedRow {
  readonly clientId: string
  readonly row: Float64Array
  /** Unflagged updates only: the model learns what ordinary updates look like. */
  readonly trainable: boolean
}

/** What happened when a challenger was fitted or evaluated (serialisable). */
export interface ChallengeOutcome {
  readonly round: number
  readonly replaced: boolean
  readonly reason: string
  readonly championAuc?: number
  readonly challengerAuc?: number
  readonly trainedOn: number
}

/**
 * The state of the anomaly model for reports: whether a champion is trained, its AUC and the
 * challengers tried.
 */
export interface ChampionChallengerStatus {
  readonly championTrained: boolean
  readonly challengerPending: boolean
  readonly bufferSize: number
  readonly labelledRounds: number
  readonly championAuc?: number
  readonly challengerAuc?: number
  /** The latest outcomes, oldest first (at most 20). */
  readonly history: readonly ChallengeOutcome[]
}

export interface ChampionChallenger {
  /** The model in use, if one has been fitted. */
  champion(): AnomalyModel | undefined
  /** Records a round's rows: trainable ones enter the buffer, all are kept for labelling. */
  observe(round: number, rows: readonly ObservedRow[]): void
  /** Fits a challenger when due (every `retrainEvery` rounds, enough rows); promotes or keeps it. */
  retrainIfDue(round: number): ChallengeOutcome | undefined
  /** Fits a challenger now (if there are `minSamples` rows), whatever the schedule. */
  retrain(round: number): ChallengeOutcome | undefined
  /**
   * Labels a round: its updates from `maliciousIds` are positives, the others
   * negatives. A pending challenger is evaluated again with the new labels.
   */
  labelRound(round: number, maliciousIds: Iterable<string>): ChallengeOutcome | undefined
  status(): ChampionChallengerStatus
}

interface LabelledRound {
  readonly round: number
  readonly rows: readonly Float64Array[]
  readonly labels: readonly boolean[]
}

/**
 * Champion/challenger retraining of the anomaly model (SPEC C6). The champion scores
 * updates; every few rounds a challenger is fitted on the buffer of recent ordinary
 * updates and replaces the champion only if it separates attackers from honest
 * clients better (higher ROC AUC) on the held-out labelled rounds. Without a champion
 * the first challenger is promoted directly (there is nothing to compare); without
 * labels a challenger waits, because "different" is not "better".
 *
 * Labels come from outside: the known attackers in simulation, operator-confirmed
 * rounds in production. The most recent `holdoutRounds` labelled rounds are held out
 * (their rows never train a challenger); older labelled rounds return to training.
 * Rows of a round labelled late may already have trained the champion: that can only
 * favour the champion, so a replacement stays conservative.
 */
export function createChampionChallenger(
  config: ChampionChallengerConfig,
  rng: Rng,
): ChampionChallenger {
  let champion: AnomalyModel | undefined
  let challenger: AnomalyModel | undefined
  let championAuc: number | undefined
  let challengerAuc: number | undefined
  const buffer: { round: number; row: Float64Array }[] = []
  const unlabelled = new Map<number, ObservedRow[]>()
  const holdout: LabelledRound[] = []
  const history: ChallengeOutcome[] = []

  const held = () => new Set(holdout.map((r) => r.round))
  const trainingRows = () => {
    const excluded = held()
    return buffer.filter((b) => !excluded.has(b.round)).map((b) => b.row)
  }
  const evaluate = (model: AnomalyModel): number | undefined => {
    const scores: number[] = []
    const labels: boolean[] = []
    for (const round of holdout)
      round.rows.forEach((row, i) => {
        scores.push(isolationScore(model.forest, row))
        labels.push(round.labels[i]!)
      })
    return rocAuc(scores, labels)
  }
  const record = (outcome: ChallengeOutcome) => {
    history.push(outcome)
    if (history.length > 20) history.shift()
    return outcome
  }
  /** Promotes the pending challenger when it is better on the held-out rounds. */
  const challenge = (round: number): ChallengeOutcome | undefined => {
    if (!challenger) return undefined
    const trainedOn = challenger.forest.trainedOn
    if (!champion) {
      champion = challenger
      challenger = undefined
      championAuc = evaluate(champion)
      return record({ round, replaced: true, reason: 'no champion yet', trainedOn })
    }
    championAuc = evaluate(champion)
    challengerAuc = evaluate(challenger)
    if (championAuc === undefined || challengerAuc === undefined)
      return record({
        round,
        replaced: false,
        reason: 'no held-out labelled round with both attackers and honest clients',
        trainedOn,
      })
    const aucs = { championAuc, challengerAuc, trainedOn }
    if (challengerAuc > championAuc) {
      champion = challenger
      challenger = undefined
      const outcome = record({
        round,
        replaced: true,
        reason: `challenger AUC ${challengerAuc.toFixed(4)} beats champion AUC ${championAuc.toFixed(4)} on ${holdout.length} held-out labelled rounds`,
        ...aucs,
      })
      championAuc = challengerAuc
      challengerAuc = undefined
      return outcome
    }
    return record({
      round,
      replaced: false,
      reason: `challenger AUC ${challengerAuc.toFixed(4)} does not beat champion AUC ${championAuc.toFixed(4)}`,
      ...aucs,
    })
  }
  const retrain = (round: number): ChallengeOutcome | undefined => {
    const rows = trainingRows()
    if (rows.length < config.minSamples) return undefined
    const forest = fitIsolationForest(
      rows,
      { trees: config.trees, sampleSize: config.sampleSize },
      rng,
    )
    challenger = {
      forest,
      threshold: thresholdFor(forest, rows, config),
      trainedAtRound: round,
    }
    challengerAuc = undefined
    return challenge(round)
  }

  return {
    champion: () => champion,
    observe(round, rows) {
      for (const r of rows) if (r.trainable) buffer.push({ round, row: r.row })
      if (buffer.length > config.bufferSize) buffer.splice(0, buffer.length - config.bufferSize)
      unlabelled.set(round, [...(unlabelled.get(round) ?? []), ...rows])
      for (const key of unlabelled.keys())
        if (unlabelled.size > config.historyRounds) unlabelled.delete(key)
    },
    retrainIfDue: (round) =>
      config.retrainEvery > 0 && round % config.retrainEvery === 0 ? retrain(round) : undefined,
    retrain,
    labelRound(round, maliciousIds) {
      const rows = unlabelled.get(round)
      if (!rows || rows.length === 0) return undefined
      unlabelled.delete(round)
      const malicious = new Set(maliciousIds)
      holdout.push({
        round,
        rows: rows.map((r) => r.row),
        labels: rows.map((r) => malicious.has(r.clientId)),
      })
      if (holdout.length > config.holdoutRounds) holdout.shift()
      if (challenger) return challenge(round)
      if (champion) championAuc = evaluate(champion)
      return undefined
    },
    status: () => ({
      championTrained: champion !== undefined,
      challengerPending: challenger !== undefined,
      bufferSize: buffer.length,
      labelledRounds: holdout.length,
      ...(championAuc !== undefined ? { championAuc } : {}),
      ...(challengerAuc !== undefined ? { challengerAuc } : {}),
      history: [...history],
    }),
  }
}

/** The `anomaly-model-replaced` notice for an outcome that replaced the champion, else none. */
export function replacementNotices(outcome: ChallengeOutcome | undefined): AdrmNotice[] {
  if (!outcome?.replaced) return []
  return [
    {
      type: 'anomaly-model-replaced',
      round: outcome.round,
      reason: outcome.reason,
      trainedOn: outcome.trainedOn,
      ...(outcome.championAuc !== undefined ? { championAuc: outcome.championAuc } : {}),
      ...(outcome.challengerAuc !== undefined ? { challengerAuc: outcome.challengerAuc } : {}),
    },
  ]
}

function thresholdFor(
  forest: IsolationForest,
  rows: readonly Float64Array[],
  config: ChampionChallengerConfig,
): number {
  if (config.contamination <= 0) return config.threshold
  const scores = rows.map((row) => isolationScore(forest, row)).sort((a, b) => a - b)
  const index = Math.min(scores.length - 1, Math.floor((1 - config.contamination) * scores.length))
  return scores[index]!
}
