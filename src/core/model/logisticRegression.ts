import type { DenseModel } from './denseNetwork.ts'
import { createSingleLayerModel } from './singleLayerModel.ts'

/**
 * Binary logistic regression P(y = 1 | x) = σ(x·w + b) with the mean log-loss
 * −y·log p − (1 − y)·log(1 − p) + (λ/2)·‖w‖², evaluated as max(z, 0) − y·z + log1p(e^−|z|)
 * so it stays finite for any logit. Targets are 0/1 (values in [0, 1] are accepted as
 * soft labels). Parameters: w [inputDim] then b [1].
 */
export function createLogisticRegression(options: { inputDim: number; l2?: number }): DenseModel {
  return createSingleLayerModel('logistic', 'sigmoid', { ...options, outputDim: 1 })
}
