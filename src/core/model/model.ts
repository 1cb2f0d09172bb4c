import type { Rng } from '../rng/rng.ts'

/**
 * The model families msfl trains: linear regression, logistic regression, softmax regression and a
 * multilayer perceptron.
 */
export type ModelKind = 'linear' | 'logistic' | 'softmax' | 'mlp'

/** A serialisable description of a model architecture. */
export interface ModelSpec {
  readonly kind: ModelKind
  readonly inputDim: number
  /** 1 for linear and logistic, number of classes for softmax and MLP. */
  readonly outputDim: number
  /** Hidden layer widths (MLP only). */
  readonly hidden: readonly number[]
  /** L2 regularisation strength λ: the loss adds (λ/2)·‖W‖² over weights, never biases. */
  readonly l2: number
}

/** A batch is a view of rows of a row-major feature matrix. */
export interface Batch {
  readonly x: Float32Array
  readonly y: Float64Array
  readonly d: number
  /** Row indices of the batch. */
  readonly rows: ArrayLike<number>
}

/**
 * A model is pure math over one flat float64 parameter vector. The same vector is
 * what travels, gets aggregated, encrypted or attacked.
 */
export interface Model {
  readonly spec: ModelSpec
  readonly numParams: number
  /** Fresh parameters (He/Xavier-style scaling for weights, zero biases). */
  init(rng: Rng): Float64Array
  /**
   * Mean loss over the batch plus the L2 term; writes the gradient of exactly that
   * quantity into `grad` (overwritten, length numParams) and returns the loss.
   */
  lossAndGradient(params: Float64Array, batch: Batch, grad: Float64Array): number
  /**
   * Row-major outputs for n rows of x: class probabilities (n × K) for softmax/MLP,
   * P(y = 1) (n × 1) for logistic, the prediction (n × 1) for linear regression.
   */
  predict(params: Float64Array, x: Float32Array, n: number): Float64Array
}
