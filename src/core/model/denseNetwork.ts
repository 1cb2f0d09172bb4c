import { MsflError } from '../errors/msflError.ts'
import type { Rng } from '../rng/rng.ts'
import { chunkRows } from './chunkRows.ts'
import type { Batch, Model, ModelSpec } from './model.ts'
import { countParams, parameterLayout } from './parameterLayout.ts'
import {
  createSparseColumns,
  createSparseRows,
  type SparseRows,
  sparseForward,
  sparseWeightGradient,
  sparsifyDense,
} from './sparseRows.ts'

/**
 * How the last layer's outputs z become predictions and a per-row loss:
 * - identity: ŷ = z, loss ½(ŷ − y)² (linear regression)
 * - sigmoid: P(y = 1) = σ(z), log-loss softplus(z) − y·z (logistic regression)
 * - softmax: p = softmax(z), cross-entropy logsumexp(z) − z_y (softmax regression, MLP)
 * In each case d(loss)/dz = output − target, which keeps the backward pass uniform.
 */
export type OutputHead = 'identity' | 'sigmoid' | 'softmax'

/** A Model built from dense layers, with a forward-only loss for evaluation. */
export interface DenseModel extends Model {
  readonly head: OutputHead
  /**
   * Mean loss over the batch WITHOUT the L2 term, from a forward pass only. When
   * `outputs` is given, the rows' outputs (n × outputDim, as predict returns them)
   * are written into it.
   */
  meanLoss(params: Float64Array, batch: Batch, outputs?: Float64Array): number
}

export function isDenseModel(model: Model): model is DenseModel {
  return typeof (model as Partial<DenseModel>).meanLoss === 'function'
}

/**
 * The shared engine behind every model kind: a stack of dense layers (layout in
 * parameterLayout.ts), ReLU between them, and one output head.
 *
 * Speed matters because everything runs in pure JS: each batch is first gathered
 * into a sparse (CSR) copy of its input rows, so the first layer — by far the
 * largest on image data such as MNIST, which is ~80% zeros — only touches non-zero
 * inputs in both the forward pass and the weight gradient. Post-ReLU activations
 * are stored the same way, so inactive hidden units are skipped too. Kernels
 * (sparseRows.ts) loop over inputs outside and outputs inside, walking W rows
 * contiguously. Scratch buffers belong to the instance and grow lazily to the
 * largest batch seen (predict works in chunks, see chunkRows.ts), so a model
 * instance must not be shared across worker threads.
 */
export function createDenseNetwork(spec: ModelSpec, head: OutputHead): DenseModel {
  const layers = parameterLayout(spec)
  const numParams = countParams(spec)
  const last = layers.length - 1
  const d = spec.inputDim
  const outDim = spec.outputDim
  const lambda = spec.l2
  const predictChunk = chunkRows(spec)

  const widestInput = Math.max(...layers.map((layer) => layer.inDim))

  let capacity = 0
  // inputs[l]: the non-zero inputs of layer l for each batch row (x for l = 0, else post-ReLU acts[l-1]).
  let inputs: SparseRows[] = []
  // acts[l]: n × outDim(l) outputs of layer l (post-ReLU for hidden layers, head outputs for the last).
  let acts: Float64Array[] = []
  // deltas[l]: n × outDim(l) derivative of the batch loss with respect to layer l's pre-activations.
  let deltas: Float64Array[] = []
  let columns = createSparseColumns(widestInput, 0)

  function ensureCapacity(n: number): void {
    if (n <= capacity) return
    capacity = n
    inputs = layers.map((layer) => createSparseRows(n, layer.inDim))
    acts = layers.map((layer) => new Float64Array(n * layer.outDim))
    deltas = layers.map((layer) => new Float64Array(n * layer.outDim))
    columns = createSparseColumns(widestInput, n * widestInput)
  }

  /** Copies the non-zero inputs of the batch rows into inputs[0]; rows === null means rows first..first+n-1. */
  function gather(x: Float32Array, rows: ArrayLike<number> | null, first: number, n: number): void {
    const { rowPtr, idx, val } = inputs[0]!
    const numRows = Math.floor(x.length / d)
    let k = 0
    for (let r = 0; r < n; r++) {
      const row = rows === null ? first + r : rows[r]!
      if (!Number.isInteger(row) || row < 0 || row >= numRows) {
        throw invalid(`batch rows[${r}] = ${row} is not a row index in 0..${numRows - 1}`)
      }
      rowPtr[r] = k
      const base = row * d
      for (let i = 0; i < d; i++) {
        const v = x[base + i]!
        if (v !== 0) {
          idx[k] = i
          val[k] = v
          k++
        }
      }
    }
    rowPtr[n] = k
  }

  function forward(params: Float64Array, n: number): void {
    for (let l = 0; l <= last; l++) {
      const layer = layers[l]!
      const h = acts[l]!
      sparseForward(params, layer.weightOffset, layer.biasOffset, layer.outDim, inputs[l]!, n, h)
      if (l < last) {
        const size = n * layer.outDim
        for (let j = 0; j < size; j++) if (h[j]! < 0) h[j] = 0
        sparsifyDense(h, n, layer.outDim, inputs[l + 1]!)
      }
    }
  }

  /**
   * Turns the last layer's z into outputs in place and returns the summed loss
   * (0 without labels). With `delta`, also writes d(mean loss)/dz = (output − target)/n.
   */
  function applyHead(
    n: number,
    y: Float64Array | null,
    rows: ArrayLike<number> | null,
    delta: Float64Array | null,
  ): number {
    const z = acts[last]!
    const inv = 1 / n
    let loss = 0
    for (let r = 0; r < n; r++) {
      const target = y === null ? 0 : label(y, rows![r]!)
      if (head === 'softmax') {
        const zb = r * outDim
        let m = Number.NEGATIVE_INFINITY
        for (let o = 0; o < outDim; o++) if (z[zb + o]! > m) m = z[zb + o]!
        const zTarget = z[zb + target]!
        let s = 0
        for (let o = 0; o < outDim; o++) {
          const e = Math.exp(z[zb + o]! - m)
          z[zb + o] = e
          s += e
        }
        // log-sum-exp shifted by the max: exact for any logit scale, never overflows.
        loss += m + Math.log(s) - zTarget
        const invS = 1 / s
        for (let o = 0; o < outDim; o++) z[zb + o]! *= invS
        if (delta !== null) {
          for (let o = 0; o < outDim; o++) delta[zb + o] = z[zb + o]! * inv
          delta[zb + target]! -= inv
        }
      } else if (head === 'sigmoid') {
        const zr = z[r]!
        const e = Math.exp(-Math.abs(zr))
        // −y·log σ(z) − (1−y)·log(1−σ(z)) = max(z, 0) − y·z + log(1 + e^−|z|), finite for all z.
        loss += Math.max(zr, 0) - target * zr + Math.log1p(e)
        const p = zr >= 0 ? 1 / (1 + e) : e / (1 + e)
        z[r] = p
        if (delta !== null) delta[r] = (p - target) * inv
      } else {
        const diff = z[r]! - target
        loss += 0.5 * diff * diff
        if (delta !== null) delta[r] = diff * inv
      }
    }
    return loss
  }

  function label(y: Float64Array, row: number): number {
    const value = y[row]!
    if (head === 'softmax') {
      if (!Number.isInteger(value) || value < 0 || value >= outDim) {
        throw invalid(`batch y[${row}] = ${value} is not a class index in 0..${outDim - 1}`)
      }
    } else if (head === 'sigmoid') {
      if (!(value >= 0 && value <= 1)) throw invalid(`batch y[${row}] = ${value} is not in [0, 1]`)
    } else if (!Number.isFinite(value)) {
      throw invalid(`batch y[${row}] = ${value} is not a finite regression target`)
    }
    return value
  }

  function backward(params: Float64Array, grad: Float64Array, n: number): void {
    grad.fill(0)
    for (let l = last; l >= 0; l--) {
      const layer = layers[l]!
      const inDim = layer.inDim
      const out = layer.outDim
      const delta = deltas[l]!
      for (let r = 0; r < n; r++) {
        const db = r * out
        for (let o = 0; o < out; o++) grad[layer.biasOffset + o]! += delta[db + o]!
      }
      const input = inputs[l]!
      sparseWeightGradient(grad, layer.weightOffset, inDim, out, input, n, delta, columns)
      if (l === 0) continue
      // Delta of the layer below: W·delta for units that were active. A unit whose
      // post-ReLU output is zero was inactive (ReLU'(z) = 0, also at z = 0 exactly)
      // and is not in `input`, so its delta stays zero.
      const below = deltas[l - 1]!
      below.fill(0, 0, n * inDim)
      const { rowPtr, idx } = input
      for (let r = 0; r < n; r++) {
        const db = r * out
        const end = rowPtr[r + 1]!
        for (let k = rowPtr[r]!; k < end; k++) {
          const i = idx[k]!
          const wb = layer.weightOffset + i * out
          let s = 0
          for (let o = 0; o < out; o++) s += params[wb + o]! * delta[db + o]!
          below[r * inDim + i] = s
        }
      }
    }
  }

  /** Adds (λ/2)·‖W‖² to the loss and λ·W to the gradient; biases are not regularised. */
  function addL2(params: Float64Array, grad: Float64Array): number {
    if (lambda === 0) return 0
    let sum = 0
    for (const layer of layers) {
      for (let j = layer.weightOffset; j < layer.biasOffset; j++) {
        const w = params[j]!
        sum += w * w
        grad[j]! += lambda * w
      }
    }
    return 0.5 * lambda * sum
  }

  function checkParams(params: Float64Array, name: string): void {
    if (!(params instanceof Float64Array) || params.length !== numParams) {
      throw invalid(
        `${name} must be a Float64Array of length ${numParams}, got length ${params?.length}`,
      )
    }
  }

  function prepareBatch(params: Float64Array, batch: Batch): number {
    checkParams(params, 'params')
    if (batch.d !== d) throw invalid(`batch d = ${batch.d} does not match model inputDim ${d}`)
    const n = batch.rows.length
    if (n === 0) throw invalid('batch rows is empty; a mean loss needs at least one row')
    ensureCapacity(n)
    gather(batch.x, batch.rows, 0, n)
    forward(params, n)
    return n
  }

  return {
    spec,
    numParams,
    head,
    init(rng: Rng): Float64Array {
      const params = new Float64Array(numParams)
      layers.forEach((layer, l) => {
        // He scaling for layers that feed a ReLU, LeCun (1/fan_in) for the output layer.
        const std = Math.sqrt((l < last ? 2 : 1) / layer.inDim)
        for (let j = layer.weightOffset; j < layer.biasOffset; j++) params[j] = rng.normal() * std
      })
      return params
    },
    lossAndGradient(params: Float64Array, batch: Batch, grad: Float64Array): number {
      checkParams(grad, 'grad')
      const n = prepareBatch(params, batch)
      const loss = applyHead(n, batch.y, batch.rows, deltas[last]!) / n
      backward(params, grad, n)
      return loss + addL2(params, grad)
    },
    meanLoss(params: Float64Array, batch: Batch, outputs?: Float64Array): number {
      const n = prepareBatch(params, batch)
      const loss = applyHead(n, batch.y, batch.rows, null) / n
      if (outputs !== undefined) {
        if (outputs.length < n * outDim) {
          throw invalid(`outputs has length ${outputs.length}, needs ${n * outDim}`)
        }
        outputs.set(acts[last]!.subarray(0, n * outDim))
      }
      return loss
    },
    predict(params: Float64Array, x: Float32Array, n: number): Float64Array {
      checkParams(params, 'params')
      if (!Number.isInteger(n) || n < 0 || x.length < n * d) {
        throw invalid(
          `predict n = ${n} rows does not fit x of length ${x.length} with inputDim ${d}`,
        )
      }
      const result = new Float64Array(n * outDim)
      for (let start = 0; start < n; start += predictChunk) {
        const m = Math.min(predictChunk, n - start)
        ensureCapacity(m)
        gather(x, null, start, m)
        forward(params, m)
        applyHead(m, null, null, null)
        result.set(acts[last]!.subarray(0, m * outDim), start * outDim)
      }
      return result
    },
  }
}

function invalid(message: string): MsflError {
  return new MsflError('MODEL_INVALID', message)
}
