import type { Dataset } from '../data/dataset.ts'
import { MsflError } from '../errors/msflError.ts'
import type { Model } from '../model/model.ts'
import type { Rng } from '../rng/rng.ts'
import { shuffleInPlace } from '../rng/seededRng.ts'

/** Local SGD settings: epochs, batch size, learning rate and momentum. */
export interface TrainOptions {
  readonly epochs: number
  readonly batchSize: number
  readonly learningRate: number
  /** Heavy-ball coefficient μ in [0, 1); 0 is plain SGD. */
  readonly momentum: number
  /**
   * FedProx (Li et al., MLSys 2020): μ of the proximal term μ/2·‖θ − θ₀‖², θ₀ the parameters
   * training started from; its gradient μ(θ − θ₀) joins every step. Absent or 0: none.
   */
  readonly proximalMu?: number
}

/**
 * SCAFFOLD's drift correction (Karimireddy et al., ICML 2020): `correction` = c − cᵢ is added
 * to every minibatch gradient, and training also returns the mean of the uncorrected
 * minibatch gradients, which is the client's next control variate cᵢ⁺.
 */
export interface DriftCorrection {
  readonly correction: Float64Array
}

/** The outcome of local training: new parameters, mean loss of the last epoch and steps taken. */
export interface TrainResult {
  readonly params: Float64Array
  /** Mean training loss (including the L2 term) over the last epoch's batches, weighted by batch size. */
  readonly loss: number
  /** Optimiser steps taken: epochs × ⌈n / batchSize⌉. */
  readonly steps: number
  /** With a drift correction: the mean uncorrected minibatch gradient over the steps taken. */
  readonly meanGradient?: Float64Array
}

/**
 * Minibatch SGD with heavy-ball momentum, as PyTorch defines it:
 * v ← μ·v + g, θ ← θ − η·v, with v = 0 at the start of every call (FL clients
 * start each round fresh). Rows are reshuffled with `rng` every epoch; the last
 * batch of an epoch is smaller when batchSize does not divide n. The input params
 * are copied, never mutated. Each batch loss is measured before its step, so the
 * reported loss lags the returned params by at most one epoch of progress.
 * FedProx's proximal gradient and SCAFFOLD's correction are added to the minibatch
 * gradient before the momentum update, so they act as part of the local objective.
 */
export function trainLocal(
  model: Model,
  params: Float64Array,
  data: Dataset,
  options: TrainOptions,
  rng: Rng,
  drift?: DriftCorrection,
): TrainResult {
  checkOptions(options)
  if (data.n === 0)
    throw new MsflError('DATA_INTEGRITY', `dataset '${data.name}' has no rows to train on`)
  const { epochs, learningRate, momentum } = options
  const mu = options.proximalMu ?? 0
  const batchSize = Math.min(options.batchSize, data.n)
  const theta = Float64Array.from(params)
  const grad = new Float64Array(model.numParams)
  const velocity = new Float64Array(model.numParams)
  const order = new Int32Array(data.n)
  for (let i = 0; i < data.n; i++) order[i] = i
  const p = theta.length
  if (drift && drift.correction.length !== p)
    throw new MsflError(
      'PROTOCOL',
      `control variate correction has ${drift.correction.length} values, the model needs ${p}`,
    )
  const gradientSum = drift ? new Float64Array(p) : undefined

  let steps = 0
  let epochLoss = 0
  for (let epoch = 0; epoch < epochs; epoch++) {
    shuffleInPlace(order, rng)
    epochLoss = 0
    for (let start = 0; start < data.n; start += batchSize) {
      const rows = order.subarray(start, Math.min(start + batchSize, data.n))
      const loss = model.lossAndGradient(theta, { x: data.x, y: data.y, d: data.d, rows }, grad)
      epochLoss += loss * rows.length
      if (gradientSum && drift)
        for (let j = 0; j < p; j++) {
          gradientSum[j]! += grad[j]!
          grad[j]! += drift.correction[j]!
        }
      if (mu > 0) for (let j = 0; j < p; j++) grad[j]! += mu * (theta[j]! - params[j]!)
      for (let j = 0; j < p; j++) {
        const v = momentum * velocity[j]! + grad[j]!
        velocity[j] = v
        theta[j]! -= learningRate * v
      }
      steps++
    }
  }
  const meanGradient = gradientSum?.map((g) => g / steps)
  return {
    params: theta,
    loss: epochLoss / data.n,
    steps,
    ...(meanGradient ? { meanGradient } : {}),
  }
}

function checkOptions(options: TrainOptions): void {
  const { epochs, batchSize, learningRate, momentum, proximalMu } = options
  if (proximalMu !== undefined && !(Number.isFinite(proximalMu) && proximalMu >= 0))
    throw invalid(`training proximalMu must be a finite number >= 0, got ${proximalMu}`)
  if (!Number.isInteger(epochs) || epochs < 1) {
    throw invalid(`training epochs must be an integer >= 1, got ${epochs}`)
  }
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw invalid(`training batchSize must be an integer >= 1, got ${batchSize}`)
  }
  if (!Number.isFinite(learningRate) || learningRate <= 0) {
    throw invalid(`training learningRate must be a finite number > 0, got ${learningRate}`)
  }
  if (!Number.isFinite(momentum) || momentum < 0 || momentum >= 1) {
    throw invalid(`training momentum must be in [0, 1), got ${momentum}`)
  }
}

function invalid(message: string): MsflError {
  return new MsflError('CONFIG_INVALID', message)
}
