import type { AttackSpec } from '../core/attacks/attackCatalog.ts'
import { triggeredTestSet, triggerGeometry } from '../core/attacks/backdoor.ts'
import { flippedClasses, parseLabelMapping } from '../core/attacks/labelFlip.ts'
import type { Dataset, DatasetSplit } from '../core/data/dataset.ts'
import { attackSuccessRate, meanClassRecall } from '../core/metrics/attackMetrics.ts'
import { evaluateModel } from '../core/metrics/evaluateModel.ts'
import type { Model } from '../core/model/model.ts'
import type { RoundEvaluation } from './rounds/roundEvaluation.ts'

/** Test metrics every round, plus attack success and flipped-class recall when those attacks run. */
export function createEvaluation(
  model: Model,
  data: DatasetSplit,
  attackers: ReadonlyMap<string, AttackSpec>,
): (params: Float64Array) => RoundEvaluation {
  const attacks = [...attackers.values()]
  const backdoor = attacks.find((a) => a.name === 'backdoor')
  let triggered: { set: Dataset; target: number } | undefined
  if (backdoor) {
    const o = backdoor.options
    const geometry = triggerGeometry(data.train, {
      size: o['size'] as number,
      x: o['x'] as number,
      y: o['y'] as number,
      target: o['target'] as number,
    })
    triggered = { set: triggeredTestSet(data.test, geometry), target: geometry.target }
  }
  const flip = attacks.find((a) => a.name === 'label-flip')
  const flipped = flip
    ? flippedClasses(parseLabelMapping(flip.options['map'] as string, data.train.numClasses))
    : undefined
  return (params) => {
    const metrics = evaluateModel(model, params, data.test)
    return {
      ...metrics,
      ...(triggered
        ? { attackSuccessRate: attackSuccessRate(model, params, triggered.set, triggered.target) }
        : {}),
      ...(flipped && metrics.confusionMatrix
        ? { flippedClassRecall: meanClassRecall(metrics.confusionMatrix, flipped) }
        : {}),
    }
  }
}
