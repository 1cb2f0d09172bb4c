import type { RoundEvaluation } from '../runtime/rounds/roundEvaluation.ts'
import { summarise } from '../runtime/rounds/roundEvaluation.ts'

/**
 * The head of every run's `--json`: the final scalar metrics with the confusion matrix,
 * and the attack's success rate at top level when an attack was simulated.
 */
export function finalJson(metrics: RoundEvaluation): Record<string, unknown> {
  const final = { ...summarise(metrics), confusionMatrix: metrics.confusionMatrix }
  return {
    final,
    ...(final.attackSuccessRate !== undefined
      ? { attack_success_rate: final.attackSuccessRate }
      : {}),
  }
}
