import type { Dataset } from '../data/dataset.ts'
import { classificationMetrics } from '../metrics/classificationMetrics.ts'
import { confusionMatrix } from '../metrics/confusionMatrix.ts'
import { type EvaluationMetrics, evaluateModel } from '../metrics/evaluateModel.ts'
import { oneVsRestAuc } from '../metrics/roc.ts'
import { createModel } from '../model/createModel.ts'

/**
 * Test metrics of the MS-FL model. A binary model is exactly msfl's logistic
 * regression (weights then bias), so it reuses evaluateModel; one-vs-rest predicts
 * the head with the largest score.
 */
export function evaluateMsfl(weights: readonly Float64Array[], test: Dataset): EvaluationMetrics {
  const d = test.d
  if (weights.length === 1) {
    const model = createModel({ kind: 'logistic', inputDim: d, outputDim: 1, hidden: [], l2: 0 })
    return evaluateModel(model, weights[0]!, test)
  }
  const k = weights.length
  const probs = new Float64Array(test.n * k)
  const predicted = new Int32Array(test.n)
  let loss = 0
  for (let i = 0; i < test.n; i++) {
    let best = 0
    for (let c = 0; c < k; c++) {
      const w = weights[c]!
      let z = w[d]!
      for (let j = 0; j < d; j++) z += w[j]! * test.x[i * d + j]!
      probs[i * k + c] = 1 / (1 + Math.exp(-z))
      if (probs[i * k + c]! > probs[i * k + best]!) best = c
    }
    predicted[i] = best
    let total = 0
    for (let c = 0; c < k; c++) total += probs[i * k + c]!
    for (let c = 0; c < k; c++) probs[i * k + c]! /= total
    loss -= Math.log(Math.max(probs[i * k + test.y[i]!]!, 1e-12))
  }
  const matrix = confusionMatrix(test.y, predicted, k)
  const { accuracy, precision, recall, f1 } = classificationMetrics(matrix)
  const auc = oneVsRestAuc(probs, test.y, k)
  return {
    loss: loss / test.n,
    accuracy,
    precision,
    recall,
    f1,
    ...(auc === undefined ? {} : { auc }),
    confusionMatrix: matrix,
  }
}
