import type { Dataset } from '../data/dataset.ts'
import { MsflError } from '../errors/msflError.ts'
import { chunkRows } from '../model/chunkRows.ts'
import type { Model } from '../model/model.ts'

/**
 * The gradient of the mean loss (plus the L2 term) over the whole local dataset, as
 * FedSGD clients send it. Rows go through the model in bounded chunks; each chunk's
 * mean loss and gradient include the full L2 term, so weighting chunks by their
 * share of rows gives exactly mean-over-all-rows plus L2 once.
 */
export function computeGradient(
  model: Model,
  params: Float64Array,
  data: Dataset,
): { gradient: Float64Array; loss: number } {
  if (data.n === 0) {
    throw new MsflError(
      'DATA_INTEGRITY',
      `dataset '${data.name}' has no rows to compute a gradient on`,
    )
  }
  const gradient = new Float64Array(model.numParams)
  const chunkGrad = new Float64Array(model.numParams)
  const chunk = chunkRows(model.spec)
  const rows = new Int32Array(Math.min(chunk, data.n))
  let loss = 0
  for (let start = 0; start < data.n; start += chunk) {
    const m = Math.min(chunk, data.n - start)
    const view = rows.subarray(0, m)
    for (let r = 0; r < m; r++) view[r] = start + r
    const weight = m / data.n
    loss +=
      weight *
      model.lossAndGradient(params, { x: data.x, y: data.y, d: data.d, rows: view }, chunkGrad)
    for (let j = 0; j < gradient.length; j++) gradient[j]! += weight * chunkGrad[j]!
  }
  return { gradient, loss }
}
