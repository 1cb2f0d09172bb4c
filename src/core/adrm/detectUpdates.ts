import type { DetectionReason } from '../events/runEvent.ts'
import { medianOf } from '../robust/selectKth.ts'
import {
  DEFAULT_OWNER_BASELINE,
  habitualExcess,
  learnHabit,
  type OwnerBaselineConfig,
} from './ownerBaseline.ts'
import {
  DEFAULT_PERSISTENCE,
  type DeviationMemory,
  type PersistenceConfig,
  persistentFindings,
  rememberDeviation,
} from './persistentDeviation.ts'
import { type RobustZScores, robustZScores } from './robustZScores.ts'
import {
  atLeast,
  corroborate,
  gradeExcess,
  maxSeverity,
  type Severity,
  type SeverityBands,
} from './severity.ts'
import { computeUpdateFeatures, type UpdateFeatures } from './updateFeatures.ts'
import { excessOf, Z_DETECTORS, type ZDetector } from './zDetectors.ts'

export type { DetectionReason }

/**
 * Where the updates live: `plain` updates, or `affine` images c·u + d of them with a
 * common c ≠ 0 and d (MS-FL `global-scale` masks), where only invariant detectors run.
 */
export type DetectionSpace = 'plain' | 'affine'

/**
 * Settings of ADRM's statistical detectors: the space they measure in, thresholds in σ, severity
 * bands and the persistence detector.
 */
export interface DetectionConfig {
  readonly space: DetectionSpace
  /** Robust z-score threshold in σ (SPEC C6: 3). */
  readonly zThreshold: number
  /** Low from `bands.low` × a threshold, high from `bands.high` × it. */
  readonly bands: SeverityBands
  /** Absolute bound on ‖u‖, plain space only; 0 disables. */
  readonly maxNorm: number
  /** Bound on ‖u‖ / median ‖u‖ (affine: distance / median distance); 0 disables. */
  readonly maxRatio: number
  /**
   * Smallest spread a z-score uses: this fraction of the median for norm and
   * distance, this absolute value for the cosines (see SpreadFloor).
   */
  readonly minSpread: number
  /** Fewer updates than this: no cross-client statistics (their spread means nothing). */
  readonly minUpdates: number
  /** Detectors at medium that together make an update high; below 2 disables. */
  readonly corroborate: number
  /** Severity from which an update is flagged (quarantined, penalised). */
  readonly flagAt: Severity
  /** Persistent deviation across rounds (needs the caller's per-client memory). */
  readonly persistence: PersistenceConfig
  /** Per-owner baselines: how much of an owner's habitual deviation is excused (off: cap 0). */
  readonly baseline: OwnerBaselineConfig
}

export const DEFAULT_DETECTION: DetectionConfig = {
  space: 'plain',
  zThreshold: 3,
  bands: { low: 0.67, high: 2 },
  maxNorm: 0,
  maxRatio: 10,
  minSpread: 0.05,
  minUpdates: 5,
  corroborate: 2,
  flagAt: 'medium',
  persistence: DEFAULT_PERSISTENCE,
  baseline: DEFAULT_OWNER_BASELINE,
}

/** The anomaly model in use (the champion), if any. */
export interface AnomalyScorer {
  score(row: ArrayLike<number>): number
  /** Scores at or above it are medium. */
  readonly threshold: number
}

/**
 * The detectors' verdict on one update: its severity, whether it is flagged, and every finding
 * behind it.
 */
export interface UpdateDecision {
  readonly clientId: string
  readonly severity: Severity
  readonly flagged: boolean
  /** Every finding of low severity or more, with its numbers. */
  readonly reasons: readonly DetectionReason[]
  /** The update's features and robust z-scores (absent below `minUpdates`). */
  readonly measures: Readonly<Record<string, number>>
  /** The client's memory including this round (to keep for the next one); absent below `minUpdates`. */
  readonly memory?: DeviationMemory
}

export interface DetectionResult {
  readonly decisions: readonly UpdateDecision[]
  readonly features: UpdateFeatures
  /**
   * Per update, the anomaly model's input: the z-scores of the features the space
   * allows (plain: norm, distance, cosine, pull, nearest; affine: distance, pull, nearest). Z-scores
   * rather than raw values so rows from rounds with different update sizes (early
   * rounds move more) describe the same thing. Empty below `minUpdates`.
   */
  readonly rows: readonly Float64Array[]
}

/** Pull strength ‖μ − m‖·√n / median distance from which pull-z may speak (noise: ≈ 0.75). */
const PULL_GATE = 2

/**
 * The detection stage of one round, before aggregation: features of every update
 * against the round's robust centre, cross-client robust z-scores, magnitude bounds,
 * and the anomaly model's score when there is one. Returns one decision per update,
 * in input order, each with the findings and numbers behind it. Pure.
 */
export function detectUpdates(
  updates: readonly { readonly clientId: string; readonly update: Float64Array }[],
  config: DetectionConfig,
  anomaly?: AnomalyScorer,
  /** Each client's memory from earlier rounds (persistent deviation); none: every client is new. */
  remembered?: (clientId: string) => DeviationMemory | undefined,
): DetectionResult {
  const features = computeUpdateFeatures(updates.map((u) => u.update))
  const plain = config.space === 'plain'
  const n = updates.length
  const findings: DetectionReason[][] = updates.map(() => [])
  const measures = updates.map(
    (_, i): Record<string, number> =>
      plain
        ? {
            norm: features.norm[i]!,
            distance: features.distance[i]!,
            cosineToCentre: features.cosineToCentre[i]!,
            pullAlignment: features.pullAlignment[i]!,
            nearest: features.nearest[i]!,
          }
        : {
            distance: features.distance[i]!,
            pullAlignment: features.pullAlignment[i]!,
            nearest: features.nearest[i]!,
          },
  )

  // Magnitude bounds: hard limits, high on their own.
  const magnitude = plain ? features.norm : features.distance
  const magnitudeLabel = plain ? 'norm' : 'distance to the median'
  const typical = medianOf(magnitude)
  for (let i = 0; i < n; i++) {
    if (plain && config.maxNorm > 0 && features.norm[i]! > config.maxNorm)
      findings[i]!.push({
        detector: 'magnitude',
        value: features.norm[i]!,
        threshold: config.maxNorm,
        severity: 'high',
        detail: `norm ${num(features.norm[i]!)} exceeds the bound ${num(config.maxNorm)}`,
      })
    const ratio = typical > 0 ? magnitude[i]! / typical : 0
    if (n >= 3 && config.maxRatio > 0 && ratio > config.maxRatio)
      findings[i]!.push({
        detector: 'magnitude-ratio',
        value: ratio,
        threshold: config.maxRatio,
        severity: 'high',
        detail: `${magnitudeLabel} ${num(magnitude[i]!)} is ${num(ratio)}× the round's median ${num(typical)}`,
      })
  }

  const rows: Float64Array[] = []
  const memories: (DeviationMemory | undefined)[] = []
  const excesses: Record<string, number>[] = []
  if (n >= config.minUpdates) {
    const active = Z_DETECTORS.filter((d) => plain || !d.plainOnly)
    // Without attackers ‖μ − m‖ is about 0.75 × typical distance / √n (mean and median
    // of n similar vectors); only a pull well beyond that has anyone to blame.
    const pullStrength =
      (features.pull * Math.sqrt(n)) / Math.max(medianOf(features.distance), 1e-300)
    const pulled = pullStrength >= PULL_GATE
    const scores = active.map((d) =>
      robustZScores(features[d.feature], {
        [d.floor]: Math.max(config.minSpread, d.minFloor ?? 0),
      }),
    )
    const baselines = config.baseline.cap > 0
    for (let i = 0; i < n; i++) {
      const row = new Float64Array(active.length)
      const excess: Record<string, number> = {}
      const habits: Record<string, number> = {}
      const before = remembered?.(updates[i]!.clientId)
      active.forEach((detector, k) => {
        const z = scores[k]!.z[i]!
        row[k] = z
        measures[i]![`${detector.feature}Z`] = z
        // What this owner usually shows is excused (per-owner baseline, capped).
        const habit = habitualExcess(before, detector.name, config.baseline)
        habits[detector.name] = habit
        if (baselines) measures[i]![`${detector.feature}Habit`] = habit
        // Clipped at the high band (6σ by default): a client flagged hard stays under
        // watch for a few rounds, but one huge round (5,000σ) must not mark it for twenty.
        const clip = config.bands.high * config.zThreshold
        const silent = detector.needsPull && !pulled
        excess[detector.name] = silent ? 0 : Math.max(-clip, Math.min(clip, excessOf(detector, z)))
        const finding = zFinding(
          detector,
          scores[k]!,
          features[detector.feature][i]!,
          z,
          config,
          habit,
        )
        if (finding && !silent) findings[i]!.push(finding)
      })
      rows.push(row)
      measures[i]!['pullStrength'] = pullStrength
      const memory = rememberDeviation(before, excess, config.persistence.weight)
      memories.push(memory)
      excesses.push(excess)
      findings[i]!.push(...persistentFindings(memory, config.persistence, habits))
      if (anomaly) {
        const score = anomaly.score(row)
        measures[i]!['anomalyScore'] = score
        if (score >= anomaly.threshold)
          findings[i]!.push({
            detector: 'iforest',
            value: score,
            threshold: anomaly.threshold,
            severity: 'medium',
            detail: `isolation-forest anomaly score ${num(score)} reaches ${num(anomaly.threshold)} (typical updates score about 0.5 or less)`,
          })
      }
    }
  }

  const decisions = updates.map(({ clientId }, i): UpdateDecision => {
    const reasons = findings[i]!
    // A detector and its persistent form are one piece of evidence, not two.
    const family = (r: DetectionReason) => r.detector.replace(/^persistent-/, '')
    const strongest = new Map<string, Severity>()
    for (const r of reasons)
      strongest.set(family(r), maxSeverity([strongest.get(family(r)) ?? 'none', r.severity]))
    const graded = corroborate([...strongest.values()], config.corroborate)
    const medium = reasons.filter((r) => r.severity === 'medium')
    if (graded === 'high' && !reasons.some((r) => r.severity === 'high'))
      reasons.push({
        detector: 'corroboration',
        value: medium.length,
        threshold: config.corroborate,
        severity: 'high',
        detail: `${medium.length} detectors agree at medium: ${medium.map((r) => r.detector).join(', ')}`,
      })
    const flagged = graded !== 'none' && atLeast(graded, config.flagAt)
    const learnt =
      memories[i] && config.baseline.cap > 0
        ? learnHabit(memories[i], excesses[i]!, flagged, config.persistence.weight)
        : memories[i]
    const memory = learnt && flagged ? { ...learnt, flagged: (learnt.flagged ?? 0) + 1 } : learnt
    return {
      clientId,
      severity: graded,
      flagged,
      reasons,
      measures: measures[i]!,
      ...(memory ? { memory } : {}),
    }
  })
  return { decisions, features, rows }
}

function zFinding(
  detector: ZDetector,
  scores: RobustZScores,
  value: number,
  z: number,
  config: DetectionConfig,
  habit: number,
): DetectionReason | undefined {
  const graded = gradeExcess(excessOf(detector, z) - habit, config.zThreshold, config.bands)
  const severity = detector.cap && atLeast(graded, detector.cap) ? detector.cap : graded
  if (severity === 'none') return undefined
  const side = z >= 0 ? 'above' : 'below'
  return {
    detector: detector.name,
    value: z,
    threshold: z >= 0 ? config.zThreshold : -config.zThreshold,
    severity,
    detail: `${detector.label} ${num(value)} is ${num(Math.abs(z))}σ ${side} the round's median ${num(scores.centre)} (robust σ ${num(scores.spread)})${habit > 0 ? `, ${num(habit)}σ of it this owner's usual` : ''}`,
  }
}

/** Four significant digits: enough to explain a decision, short enough to read. */
function num(x: number): string {
  return Number.isInteger(x) ? String(x) : Number(x.toPrecision(4)).toString()
}
