import { MsflError } from '../errors/msflError.ts'
import { chunkRows } from '../model/chunkRows.ts'
import { type DenseModel, isDenseModel } from '../model/denseNetwork.ts'
import type { Batch, Model } from '../model/model.ts'
import { l2Penalty, parameterLayout } from '../model/parameterLayout.ts'
import { clipToNorm } from './clipToNorm.ts'

export interface ClippedSum {
  /** Σ of the rows' losses without the L2 term (private data: for local diagnostics only). */
  readonly lossSum: number
  /** Rows whose gradient norm exceeded the clipping norm. */
  readonly clipped: number
}

/**
 * Writes Σ_r clip(∇ℓ_r, C) into `sum` (overwritten): the per-example gradients of the
 * data loss, each scaled to L2 norm ≤ C, summed over the batch rows. The L2
 * regulariser is left out: it does not depend on any record, so DP-SGD adds it after
 * the noise and it needs no clipping.
 */
export type ClippedGradientSum = (
  params: Float64Array,
  batch: Batch,
  clipNorm: number,
  sum: Float64Array,
) => ClippedSum

/**
 * Per-example clipped gradient sums for a model. Single-layer dense models (linear,
 * logistic, softmax regression) take a fast path: their per-example gradient is the
 * outer product [x_r; 1] ⊗ (output_r − target_r), whose norm is
 * √(‖x_r‖² + 1)·‖output_r − target_r‖, so one batched forward pass gives every norm
 * and the clipped sum is accumulated directly, without materialising any gradient.
 * Other models (MLPs) fall back to one backward pass per example.
 */
export function createClippedGradientSum(model: Model): ClippedGradientSum {
  if (isDenseModel(model) && model.spec.hidden.length === 0) return singleLayerSum(model)
  return perExampleSum(model)
}

function singleLayerSum(model: DenseModel): ClippedGradientSum {
  const { spec, head } = model
  const d = spec.inputDim
  const out = spec.outputDim
  const biasOffset = d * out
  const chunk = chunkRows(spec)
  const outputs = new Float64Array(chunk * out)
  const delta = new Float64Array(out)
  const chunkIndices = new Int32Array(chunk)
  return (params, batch, clipNorm, sum) => {
    checkClipNorm(clipNorm)
    sum.fill(0)
    const { x, y, rows } = batch
    let lossSum = 0
    let clipped = 0
    for (let start = 0; start < rows.length; start += chunk) {
      const m = Math.min(chunk, rows.length - start)
      const view = chunkIndices.subarray(0, m)
      for (let r = 0; r < m; r++) view[r] = rows[start + r]!
      // meanLoss validates the rows and labels and leaves each row's head output in `outputs`.
      lossSum += m * model.meanLoss(params, { x, y, d, rows: view }, outputs)
      for (let r = 0; r < m; r++) {
        const row = view[r]!
        const target = y[row]!
        let deltaSq = 0
        for (let o = 0; o < out; o++) {
          const value =
            outputs[r * out + o]! - (head === 'softmax' ? (o === target ? 1 : 0) : target)
          delta[o] = value
          deltaSq += value * value
        }
        const base = row * d
        let xSq = 1 // the bias input
        for (let i = 0; i < d; i++) xSq += x[base + i]! * x[base + i]!
        const norm = Math.sqrt(xSq * deltaSq)
        let scale = 1
        if (norm > clipNorm) {
          scale = clipNorm / norm
          clipped++
        }
        for (let o = 0; o < out; o++) {
          delta[o]! *= scale
          sum[biasOffset + o]! += delta[o]!
        }
        for (let i = 0; i < d; i++) {
          const xi = x[base + i]!
          if (xi === 0) continue
          const wb = i * out
          for (let o = 0; o < out; o++) sum[wb + o]! += xi * delta[o]!
        }
      }
    }
    return { lossSum, clipped }
  }
}

function perExampleSum(model: Model): ClippedGradientSum {
  const { spec } = model
  const layers = parameterLayout(spec)
  const grad = new Float64Array(model.numParams)
  const one = new Int32Array(1)
  return (params, batch, clipNorm, sum) => {
    checkClipNorm(clipNorm)
    sum.fill(0)
    const penalty = l2Penalty(spec, params)
    let lossSum = 0
    let clipped = 0
    for (let r = 0; r < batch.rows.length; r++) {
      one[0] = batch.rows[r]!
      lossSum +=
        model.lossAndGradient(params, { x: batch.x, y: batch.y, d: batch.d, rows: one }, grad) -
        penalty
      // lossAndGradient includes λ·W; take it out so only the record's own gradient is clipped.
      if (spec.l2 !== 0)
        for (const layer of layers)
          for (let j = layer.weightOffset; j < layer.biasOffset; j++)
            grad[j]! -= spec.l2 * params[j]!
      if (clipToNorm(grad, clipNorm) > clipNorm) clipped++
      for (let j = 0; j < grad.length; j++) sum[j]! += grad[j]!
    }
    return { lossSum, clipped }
  }
}

function checkClipNorm(clipNorm: number): void {
  if (!(clipNorm > 0 && Number.isFinite(clipNorm)))
    throw new MsflError(
      'CONFIG_INVALID',
      `differential privacy: clipNorm must be a finite number > 0, got ${clipNorm}`,
    )
}
