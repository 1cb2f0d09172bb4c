import type { ModelSpec } from './model.ts'

/**
 * Where one dense layer lives in the flat parameter vector.
 *
 * Layout (the contract that aggregation, encryption and attack code rely on):
 * layers are stored in order from input to output; each layer is its weight
 * matrix W, row-major as [inDim][outDim] (so W[i][o] is at weightOffset + i·outDim + o),
 * immediately followed by its bias vector [outDim]. Nothing else is stored.
 *
 * Every model kind is a stack of dense layers:
 * - linear, logistic: one layer inputDim → 1
 * - softmax: one layer inputDim → K
 * - mlp: inputDim → hidden[0] → … → hidden[h-1] → K
 */
export interface DenseLayerLayout {
  readonly inDim: number
  readonly outDim: number
  readonly weightOffset: number
  readonly biasOffset: number
  /** Offset one past the bias, i.e. where the next layer starts. */
  readonly end: number
}

/** The dense layers of a model in parameter-vector order (see DenseLayerLayout). */
export function parameterLayout(spec: ModelSpec): DenseLayerLayout[] {
  const widths = [spec.inputDim, ...spec.hidden, spec.outputDim]
  const layers: DenseLayerLayout[] = []
  let offset = 0
  for (let l = 0; l + 1 < widths.length; l++) {
    const inDim = widths[l]!
    const outDim = widths[l + 1]!
    const weightOffset = offset
    const biasOffset = weightOffset + inDim * outDim
    offset = biasOffset + outDim
    layers.push({ inDim, outDim, weightOffset, biasOffset, end: offset })
  }
  return layers
}

/** Total length of the flat parameter vector for a spec. */
export function countParams(spec: ModelSpec): number {
  const layers = parameterLayout(spec)
  return layers.length === 0 ? 0 : layers[layers.length - 1]!.end
}

/**
 * The L2 penalty (λ/2)·‖W‖² that lossAndGradient adds: weights of every layer,
 * never biases.
 */
export function l2Penalty(spec: ModelSpec, params: Float64Array): number {
  if (spec.l2 === 0) return 0
  let sum = 0
  for (const layer of parameterLayout(spec)) {
    for (let j = layer.weightOffset; j < layer.biasOffset; j++) sum += params[j]! * params[j]!
  }
  return 0.5 * spec.l2 * sum
}
