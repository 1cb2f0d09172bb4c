import type { Dataset } from '../data/dataset.ts'
import type { Model } from '../model/model.ts'

/**
 * Backdoor attack-success rate: the share of triggered test inputs (all of true class
 * other than the target) that the model classifies as the target.
 */
export function attackSuccessRate(
  model: Model,
  params: Float64Array,
  triggered: Dataset,
  target: number,
): number {
  if (triggered.n === 0) return 0
  const outputs = model.predict(params, triggered.x, triggered.n)
  const k = model.spec.outputDim
  let hits = 0
  for (let i = 0; i < triggered.n; i++) {
    let predicted: number
    if (k === 1) predicted = outputs[i]! >= 0.5 ? 1 : 0
    else {
      predicted = 0
      for (let c = 1; c < k; c++)
        if (outputs[i * k + c]! > outputs[i * k + predicted]!) predicted = c
    }
    if (predicted === target) hits += 1
  }
  return hits / triggered.n
}

/** Mean recall of the given classes, from a confusion matrix (rows true, columns predicted). */
export function meanClassRecall(
  confusion: readonly (readonly number[])[],
  classes: readonly number[],
): number {
  if (classes.length === 0) return Number.NaN
  let total = 0
  for (const c of classes) {
    const row = confusion[c] ?? []
    const support = row.reduce((a, b) => a + b, 0)
    total += support > 0 ? (row[c] ?? 0) / support : 0
  }
  return total / classes.length
}
