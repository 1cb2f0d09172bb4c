import { createDenseNetwork, type DenseModel } from './denseNetwork.ts'
import { validateModelSpec } from './validateModelSpec.ts'

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
  const spec = validateModelSpec({
    kind: 'softmax',
    inputDim: options.inputDim,
    outputDim: options.numClasses,
    hidden: [],
    l2: options.l2 ?? 0,
  })
  return createDenseNetwork(spec, 'softmax')
}
