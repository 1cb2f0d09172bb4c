import { createDenseNetwork, type DenseModel } from './denseNetwork.ts'
import { validateModelSpec } from './validateModelSpec.ts'

/**
 * Multi-layer perceptron: dense layers of the given hidden widths with ReLU, a dense
 * output layer, softmax and mean cross-entropy, plus (λ/2)·‖W‖² over all weight
 * matrices. Hidden weights use He initialisation (std √(2/fan_in)), the output layer
 * √(1/fan_in); biases start at zero. Parameters: for each layer in order,
 * W [in][out] row-major then b [out] (see parameterLayout.ts).
 */
export function createMlp(options: {
  inputDim: number
  hidden: readonly number[]
  numClasses: number
  l2?: number
}): DenseModel {
  const spec = validateModelSpec({
    kind: 'mlp',
    inputDim: options.inputDim,
    outputDim: options.numClasses,
    hidden: [...options.hidden],
    l2: options.l2 ?? 0,
  })
  return createDenseNetwork(spec, 'softmax')
}
