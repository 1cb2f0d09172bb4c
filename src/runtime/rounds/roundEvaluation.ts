import type { MetricSummary } from '../../core/events/runEvent.ts'
import type { EvaluationMetrics } from '../../core/metrics/evaluateModel.ts'

/** Evaluation of the global model, plus the attack metrics when an attack is simulated. */
export type RoundEvaluation = EvaluationMetrics & {
  readonly attackSuccessRate?: number
  readonly flippedClassRecall?: number
}

const SCALAR_METRICS = [
  'loss',
  'accuracy',
  'precision',
  'recall',
  'f1',
  'auc',
  'rmse',
  'attackSuccessRate',
  'flippedClassRecall',
] as const

/** The scalar metrics of an evaluation (what events, logs and round records carry). */
export function summarise(metrics: RoundEvaluation): MetricSummary {
  const entries = SCALAR_METRICS.flatMap((key) =>
    metrics[key] === undefined ? [] : [[key, metrics[key]] as const],
  )
  return Object.fromEntries(entries) as unknown as MetricSummary
}
