import type { DetectionReason } from '../events/runEvent.ts'
import { medianOf } from '../robust/selectKth.ts'
import { type RobustZScores, robustZScores } from './robustZScores.ts'
import {
  atLeast,
  corroborate,
  gradeExcess,
  type Severity,
  type SeverityBands,
} from './severity.ts'
import { computeUpdateFeatures, type UpdateFeatures } from './updateFeatures.ts'

export type { DetectionReason }

/**
 * Where the updates live: `plain` updates, or `affine` images c·u + d of them with a
 * common c ≠ 0 and d (MS-FL `global-scale` masks), where only invariant detectors run.
 */
export type DetectionSpace = 'plain' | 'affine'

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
}

export const DEFAULT_DETECTION: DetectionConfig = {
  space: 'plain',
  zThreshold: 3,
  bands: { low: 2 / 3, high: 2 },
  maxNorm: 0,
  maxRatio: 10,
  minSpread: 0.05,
  minUpdates: 5,
  corroborate: 2,
  flagAt: 'medium',
}

/** The anomaly model in use (the champion), if any. */
export interface AnomalyScorer {
  score(row: ArrayLike<number>): number
  /** Scores at or above it are medium. */
  readonly threshold: number
}

export interface UpdateDecision {
  readonly clientId: string
  readonly severity: Severity
  readonly flagged: boolean
  /** Every finding of low severity or more, with its numbers. */
  readonly reasons: readonly DetectionReason[]
  /** The update's features and robust z-scores (absent below `minUpdates`). */
  readonly measures: Readonly<Record<string, number>>
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

interface ZDetector {
  readonly name: string
  readonly feature: keyof Omit<UpdateFeatures, 'centre'>
  readonly label: string
  /** Which tail is suspicious: high values, low values, or both. */
  readonly tail: 'upper' | 'lower' | 'both'
  /** Scale features get a floor relative to their median, cosines an absolute one. */
  readonly floor: 'relative' | 'absolute'
  readonly plainOnly: boolean
}

const Z_DETECTORS: readonly ZDetector[] = [
  { name: 'norm-z', feature: 'norm', label: 'norm', tail: 'both', floor: 'relative', plainOnly: true },
  {
    name: 'distance-z',
    feature: 'distance',
    label: 'distance to the median',
    tail: 'upper',
    floor: 'relative',
    plainOnly: false,
  },
  {
    name: 'cosine-z',
    feature: 'cosineToCentre',
    label: 'cosine to the median',
    tail: 'lower',
    floor: 'absolute',
    plainOnly: true,
  },
  {
    name: 'pull-z',
    feature: 'pullAlignment',
    label: 'alignment with the pull of the mean',
    tail: 'upper',
    floor: 'absolute',
    plainOnly: false,
  },
  {
    name: 'nearest-z',
    feature: 'nearest',
    label: 'distance to the nearest other update',
    tail: 'lower',
    floor: 'relative',
    plainOnly: false,
  },
]

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
): DetectionResult {
  const features = computeUpdateFeatures(updates.map((u) => u.update))
  const plain = config.space === 'plain'
  const n = updates.length
  const findings: DetectionReason[][] = updates.map(() => [])
  const measures = updates.map((_, i): Record<string, number> =>
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
  if (n >= config.minUpdates) {
    const active = Z_DETECTORS.filter((d) => plain || !d.plainOnly)
    const scores = active.map((d) =>
      robustZScores(features[d.feature], { [d.floor]: config.minSpread }),
    )
    for (let i = 0; i < n; i++) {
      const row = new Float64Array(active.length)
      active.forEach((detector, k) => {
        const z = scores[k]!.z[i]!
        row[k] = z
        measures[i]![`${detector.feature}Z`] = z
        const finding = zFinding(detector, scores[k]!, features[detector.feature][i]!, z, config)
        if (finding) findings[i]!.push(finding)
      })
      rows.push(row)
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
    const graded = corroborate(
      reasons.map((r) => r.severity),
      config.corroborate,
    )
    const medium = reasons.filter((r) => r.severity === 'medium')
    if (graded === 'high' && !reasons.some((r) => r.severity === 'high'))
      reasons.push({
        detector: 'corroboration',
        value: medium.length,
        threshold: config.corroborate,
        severity: 'high',
        detail: `${medium.length} detectors agree at medium: ${medium.map((r) => r.detector).join(', ')}`,
      })
    return {
      clientId,
      severity: graded,
      flagged: graded !== 'none' && atLeast(graded, config.flagAt),
      reasons,
      measures: measures[i]!,
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
): DetectionReason | undefined {
  // The excess in the suspicious direction only: a very small distance is no attack.
  const excess = detector.tail === 'upper' ? z : detector.tail === 'lower' ? -z : Math.abs(z)
  const severity = gradeExcess(excess, config.zThreshold, config.bands)
  if (severity === 'none') return undefined
  const side = z >= 0 ? 'above' : 'below'
  return {
    detector: detector.name,
    value: z,
    threshold: z >= 0 ? config.zThreshold : -config.zThreshold,
    severity,
    detail: `${detector.label} ${num(value)} is ${num(Math.abs(z))}σ ${side} the round's median ${num(scores.centre)} (robust σ ${num(scores.spread)})`,
  }
}

/** Four significant digits: enough to explain a decision, short enough to read. */
function num(x: number): string {
  return Number.isInteger(x) ? String(x) : Number(x.toPrecision(4)).toString()
}
