import type { DenseModel } from './denseNetwork.ts'
import { createSingleLayerModel } from './singleLayerModel.ts'

/**
 * Multinomial logistic regression p = softmax(x·W + b) with mean cross-entropy
 * logsumexp(z) − z_y + (λ/2)·‖W‖², the log-sum-exp shifted by max(z) so no logit
 * scale overflows. Parameters: W [inputDim][numClasses] row-major, then b [numClasses].
 */
export function createSoftmaxRegression(options: {
  inputDim: number
  numClasses: number
  l2?: number
}): DenseModel {
  return createSingleLayerModel('softmax', 'softmax', {
    inputDim: options.inputDim,
    outputDim: options.numClasses,
    l2: options.l2,
  })
}
