import type { DenseModel } from './denseNetwork.ts'
import { createSingleLayerModel } from './singleLayerModel.ts'

/**
 * Linear regression ŷ = x·w + b with loss ½·mean((ŷ − y)²) + (λ/2)·‖w‖².
 * The ½ makes the gradient exactly mean((ŷ − y)·x) + λ·w; the reported loss is
 * therefore half the mean squared error (RMSE is reported separately by evaluation).
 * Parameters: w [inputDim] then b [1].
 */
export function createLinearRegression(options: { inputDim: number; l2?: number }): DenseModel {
  return createSingleLayerModel('linear', 'identity', { ...options, outputDim: 1 })
}
