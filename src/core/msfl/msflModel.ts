import type { Dataset } from '../data/dataset.ts'

/**
 * The model of the MS-FL protocol: logistic regression, one weight vector per head
 * (one head for binary data, one per class for one-vs-rest), each with its bias as
 * the last component. Head k's training label is y for binary data and [y = k]
 * otherwise.
 */
export interface MsflModelShape {
  readonly features: number
  /** 1 for binary data, K for one-vs-rest over K classes. */
  readonly heads: number
}

export function msflModelShape(data: Dataset): MsflModelShape {
  return { features: data.d, heads: data.numClasses <= 2 ? 1 : data.numClasses }
}

/** Training labels of head k for the given rows. */
export function headLabels(
  data: Dataset,
  rows: ArrayLike<number>,
  shape: MsflModelShape,
  head: number,
): Float64Array {
  return Float64Array.from({ length: rows.length }, (_, i) => {
    const y = data.y[rows[i]!]!
    return shape.heads === 1 ? y : y === head ? 1 : 0
  })
}

/**
 * The canonical bytes of an MS-FL model: the JSON text {"heads":[[w…],…]} and a newline,
 * exactly the run's model file. The requestor registers the digest of these bytes on the
 * ledger every round, so anyone holding the file can check it against the chain.
 */
export function serialiseMsflModel(weights: readonly Float64Array[]): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify({ heads: weights.map((w) => [...w]) })}\n`)
}
