import type { Dataset } from '../data/dataset.ts'
import { MsflError } from '../errors/msflError.ts'
import type { Model } from '../model/model.ts'
import { parameterLayout } from '../model/parameterLayout.ts'
import type { Rng } from '../rng/rng.ts'
import { addGaussianNoise } from './addGaussianNoise.ts'
import { assertNoiseRng } from './assertNoiseRng.ts'
import { createClippedGradientSum } from './clippedGradientSum.ts'
import { poissonSample } from './poissonSample.ts'

export interface DpSgdOptions {
  /** C: every example's gradient is clipped to this L2 norm. */
  readonly clipNorm: number
  /** σ: the noise on the clipped sum has standard deviation σ·C per coordinate. */
  readonly noiseMultiplier: number
  /** q: each row joins a step's batch independently with this probability. */
  readonly samplingRate: number
  readonly steps: number
  readonly learningRate: number
  /** Heavy-ball coefficient μ in [0, 1) (post-processing of the noisy gradients). */
  readonly momentum: number
  /** Allows a seeded Rng: reproducible simulations only (see assertNoiseRng). */
  readonly simulation?: boolean
}

export interface DpSgdResult {
  readonly params: Float64Array
  readonly steps: number
  /**
   * Mean loss of the sampled rows before each step. It is computed from the private
   * data without noise, so it is for the owner's own eyes: never send it.
   */
  readonly loss: number
  /** Mean Poisson batch size actually drawn (expected q·n). */
  readonly meanBatchSize: number
  /** Share of per-example gradients that were clipped (a tuning aid for C; private too). */
  readonly clippedFraction: number
}

/**
 * DP-SGD (Abadi et al., CCS 2016) with Poisson sampling, as the RDP accountant assumes.
 * Each step: every row joins the batch with probability q (so the batch size is random
 * and may be 0); each row's gradient is clipped to norm C; the clipped gradients are
 * summed and N(0, σ²C²) is added to every coordinate; the sum is divided by the
 * EXPECTED batch size q·n, not the drawn one, because the drawn size depends on the
 * data and dividing by it would change the sensitivity; the data-independent L2 term
 * is added; then a momentum step θ ← θ − η·v, v ← μ·v + g.
 *
 * `rng` draws both the batches and the noise: it must be a CSPRNG unless
 * `simulation` is set. The input params are copied, never mutated. The returned
 * parameters are (ε, δ)-DP for the owner's rows with the ε the accountant reports for
 * `steps` steps at (q, σ).
 */
export function trainDpSgd(
  model: Model,
  params: Float64Array,
  data: Dataset,
  options: DpSgdOptions,
  rng: Rng,
): DpSgdResult {
  checkOptions(options)
  assertNoiseRng(rng, options.simulation, 'DP-SGD')
  if (data.n === 0)
    throw new MsflError('DATA_INTEGRITY', `dataset '${data.name}' has no rows to train on`)
  const { clipNorm, noiseMultiplier, samplingRate, steps, learningRate, momentum } = options
  const { l2 } = model.spec
  const weights = parameterLayout(model.spec)
  const clippedSum = createClippedGradientSum(model)
  const expectedBatch = samplingRate * data.n
  const theta = Float64Array.from(params)
  const sum = new Float64Array(model.numParams)
  const velocity = new Float64Array(model.numParams)
  const rows = new Int32Array(data.n)

  let lossSum = 0
  let drawn = 0
  let clipped = 0
  for (let step = 0; step < steps; step++) {
    const count = poissonSample(data.n, samplingRate, rng, rows)
    if (count > 0) {
      const batch = { x: data.x, y: data.y, d: data.d, rows: rows.subarray(0, count) }
      const result = clippedSum(theta, batch, clipNorm, sum)
      lossSum += result.lossSum
      clipped += result.clipped
    } else {
      // An empty batch still releases noise: skipping the step would reveal that it was empty.
      sum.fill(0)
    }
    drawn += count
    addGaussianNoise(sum, noiseMultiplier * clipNorm, rng)
    for (let j = 0; j < sum.length; j++) sum[j]! /= expectedBatch
    if (l2 !== 0)
      for (const layer of weights)
        for (let j = layer.weightOffset; j < layer.biasOffset; j++) sum[j]! += l2 * theta[j]!
    for (let j = 0; j < theta.length; j++) {
      const v = momentum * velocity[j]! + sum[j]!
      velocity[j] = v
      theta[j]! -= learningRate * v
    }
  }
  return {
    params: theta,
    steps,
    loss: drawn === 0 ? 0 : lossSum / drawn,
    meanBatchSize: steps === 0 ? 0 : drawn / steps,
    clippedFraction: drawn === 0 ? 0 : clipped / drawn,
  }
}

function checkOptions(options: DpSgdOptions): void {
  const { clipNorm, noiseMultiplier, samplingRate, steps, learningRate, momentum } = options
  if (!(clipNorm > 0 && Number.isFinite(clipNorm)))
    throw invalid(`clipNorm must be a finite number > 0, got ${clipNorm}`)
  if (!(noiseMultiplier >= 0 && Number.isFinite(noiseMultiplier)))
    throw invalid(`noiseMultiplier must be a finite number >= 0, got ${noiseMultiplier}`)
  if (!(samplingRate > 0 && samplingRate <= 1))
    throw invalid(`samplingRate must be in (0, 1], got ${samplingRate}`)
  if (!Number.isInteger(steps) || steps < 0)
    throw invalid(`steps must be an integer >= 0, got ${steps}`)
  if (!(learningRate > 0 && Number.isFinite(learningRate)))
    throw invalid(`learningRate must be a finite number > 0, got ${learningRate}`)
  if (!(momentum >= 0 && momentum < 1)) throw invalid(`momentum must be in [0, 1), got ${momentum}`)
}

function invalid(message: string): MsflError {
  return new MsflError('CONFIG_INVALID', `DP-SGD: ${message}`)
}
