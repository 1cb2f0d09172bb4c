import type { Dataset } from '../data/dataset.ts'
import { MsflError } from '../errors/msflError.ts'
import { chunkRows } from '../model/chunkRows.ts'
import { createModel } from '../model/createModel.ts'
import { isDenseModel } from '../model/denseNetwork.ts'
import type { Model } from '../model/model.ts'
import { accuracy, macroAverages } from './classificationMetrics.ts'
import { confusionMatrix } from './confusionMatrix.ts'
import { rmse } from './regressionMetrics.ts'
import {
  aucFromCurve,
  downsampleCurve,
  microAverageRocCurve,
  oneVsRestAuc,
  type RocCurve,
  rocCurve,
} from './roc.ts'

/** Maximum points of the ROC curve kept for reports. */
export const ROC_REPORT_POINTS = 200

/** Everything a report shows about a model on a dataset; all rates are fractions in [0, 1]. */
export interface EvaluationMetrics {
  /** The model's mean loss without the L2 term (for linear regression ½·MSE). */
  loss: number
  accuracy?: number
  precision?: number
  recall?: number
  f1?: number
  auc?: number
  rmse?: number
  /** counts[actual][predicted]. */
  confusionMatrix?: number[][]
  roc?: { fpr: number[]; tpr: number[] }
}

/**
 * Evaluates params on every row of `data`, in bounded chunks.
 * - logistic: predicted class = P(y = 1) ≥ 0.5; AUC and ROC on P(y = 1).
 * - softmax, mlp: predicted class = argmax (lowest index on ties); AUC = macro
 *   one-vs-rest; ROC = the positive class's curve when K = 2, else the micro-averaged
 *   curve (see microAverageRocCurve).
 * - linear: rmse, plus accuracy of ŷ ≥ 0.5 when data.numClasses is 2.
 * Precision, recall and F1 are macro averages (conventions in classificationMetrics.ts).
 * auc and roc are left out when undefined (a single class in `data`, or NaN outputs).
 * AUC is computed on the full curve; `roc` is down-sampled to ROC_REPORT_POINTS.
 */
export function evaluateModel(
  model: Model,
  params: Float64Array,
  data: Dataset,
): EvaluationMetrics {
  const spec = model.spec
  if (data.n === 0)
    throw new MsflError('DATA_INTEGRITY', `dataset '${data.name}' has no rows to evaluate`)
  if (data.d !== spec.inputDim) {
    throw new MsflError(
      'MODEL_INVALID',
      `dataset '${data.name}' has d = ${data.d} features but the model expects inputDim ${spec.inputDim}`,
    )
  }
  // The forward-only loss is exact (computed from logits) and skips the backward pass;
  // any model is fully described by its spec, so rebuild one if it lacks meanLoss.
  const dense = isDenseModel(model) ? model : createModel(spec)
  const k = spec.outputDim
  const n = data.n
  const outputs = new Float64Array(n * k)
  const chunk = chunkRows(spec)
  const rows = new Int32Array(Math.min(chunk, n))
  let lossSum = 0
  for (let start = 0; start < n; start += chunk) {
    const m = Math.min(chunk, n - start)
    const view = rows.subarray(0, m)
    for (let r = 0; r < m; r++) view[r] = start + r
    const batch = { x: data.x, y: data.y, d: data.d, rows: view }
    lossSum += m * dense.meanLoss(params, batch, outputs.subarray(start * k, (start + m) * k))
  }
  const loss = lossSum / n

  if (spec.kind === 'linear') {
    const result: EvaluationMetrics = { loss, rmse: rmse(outputs, data.y) }
    if (data.numClasses === 2) {
      let correct = 0
      for (let i = 0; i < n; i++) if ((outputs[i]! >= 0.5 ? 1 : 0) === data.y[i]) correct++
      result.accuracy = correct / n
    }
    return result
  }

  const predicted = new Int32Array(n)
  const labels = new Int32Array(n)
  let curve: RocCurve | undefined
  let auc: number | undefined
  if (spec.kind === 'logistic') {
    for (let i = 0; i < n; i++) {
      predicted[i] = outputs[i]! >= 0.5 ? 1 : 0
      labels[i] = data.y[i]! >= 0.5 ? 1 : 0
    }
    curve = rocCurve(outputs, labels)
    auc = curve === undefined ? undefined : aucFromCurve(curve)
  } else {
    for (let i = 0; i < n; i++) {
      let best = 0
      for (let c = 1; c < k; c++) if (outputs[i * k + c]! > outputs[i * k + best]!) best = c
      predicted[i] = best
      labels[i] = data.y[i]!
    }
    auc = oneVsRestAuc(outputs, labels, k)
    if (k === 2) {
      const positive = new Float64Array(n)
      for (let i = 0; i < n; i++) positive[i] = outputs[i * 2 + 1]!
      curve = rocCurve(positive, labels)
    } else {
      curve = microAverageRocCurve(outputs, labels, k)
    }
  }

  const counts = confusionMatrix(labels, predicted, spec.kind === 'logistic' ? 2 : k)
  const result: EvaluationMetrics = {
    loss,
    accuracy: accuracy(counts),
    ...macroAverages(counts),
    confusionMatrix: counts,
  }
  if (auc !== undefined) result.auc = auc
  if (curve !== undefined) result.roc = downsampleCurve(curve, ROC_REPORT_POINTS)
  return result
}
