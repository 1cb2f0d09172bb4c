import { createDenseNetwork, type DenseModel, type OutputHead } from './denseNetwork.ts'
import type { ModelKind } from './model.ts'
import { validateModelSpec } from './validateModelSpec.ts'

/**
 * A dense network with no hidden layer, x·W + b into `head`: the linear, logistic and
 * softmax regressions are this model and differ only in their head and output width.
 * The spec is validated first (MsflError 'MODEL_INVALID'); l2 defaults to 0.
 */
export function createSingleLayerModel(
  kind: Exclude<ModelKind, 'mlp'>,
  head: OutputHead,
  options: { inputDim: number; outputDim: number; l2?: number | undefined },
): DenseModel {
  const spec = validateModelSpec({
    kind,
    inputDim: options.inputDim,
    outputDim: options.outputDim,
    hidden: [],
    l2: options.l2 ?? 0,
  })
  return createDenseNetwork(spec, head)
}
