import type { AttackSpec } from '../core/attacks/attackCatalog.ts'
import { triggeredTestSet, triggerGeometry } from '../core/attacks/backdoor.ts'
import type { Dataset } from '../core/data/dataset.ts'
import { evaluateMsfl } from '../core/msfl/evaluateMsfl.ts'
import type { RoundEvaluation } from './rounds/roundEvaluation.ts'

/**
 * Test metrics of the requestor's model, plus the backdoor attack-success rate (the
 * accuracy of predicting the target on triggered test images of other classes) when
 * a backdoor runs. Triggers are stamped on the normalised rows, as the attackers do.
 */
export function createMsflEvaluation(
  train: Dataset,
  test: Dataset,
  attackers: ReadonlyMap<string, AttackSpec>,
): (weights: readonly Float64Array[]) => RoundEvaluation {
  const backdoor = [...attackers.values()].find((a) => a.name === 'backdoor')
  let triggered: Dataset | undefined
  if (backdoor) {
    const o = backdoor.options
    const geometry = triggerGeometry(train, {
      size: o['size'] as number,
      x: o['x'] as number,
      y: o['y'] as number,
      target: o['target'] as number,
    })
    triggered = triggeredTestSet(test, geometry)
  }
  return (weights) => {
    const metrics = evaluateMsfl(weights, test)
    return triggered
      ? { ...metrics, attackSuccessRate: evaluateMsfl(weights, triggered).accuracy ?? 0 }
      : metrics
  }
}
