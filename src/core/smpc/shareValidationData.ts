import { MsflError } from '../errors/msflError.ts'
import type { Rng } from '../rng/rng.ts'
import { shareRing } from './additiveSharing.ts'
import { encodeFixedPoint, fixedPointIntegers } from './fixedPoint.ts'
import type { RingVector } from './ring64.ts'
import { maxRowAbsSum } from './weightBoundBits.ts'

export interface ValidationShares {
  /** max_i Σ_j |encoded x_ij|: the one statistic of the data the nodes learn (it fixes the weight bound). */
  readonly rowBound: number
  /** Per node: shares of the encoded features (n × d) and of the labels (n × outputDim). */
  readonly shares: readonly { readonly x: RingVector; readonly labels: RingVector }[]
}

/**
 * The validation-data owner's side when its data stays secret: features encoded at
 * 2^f, labels one-hot (softmax) or 0/1 (logistic) as plain integers, each split into
 * one additive share per verifier node.
 */
export function shareValidationData(p: {
  readonly x: Float32Array
  readonly y: Float64Array
  readonly d: number
  readonly kind: 'softmax' | 'logistic'
  readonly outputDim: number
  readonly fractionBits: number
  readonly parties: number
  readonly rng: Rng
}): ValidationShares {
  const n = p.y.length
  const k = p.outputDim
  const labels = new Float64Array(n * k)
  for (let i = 0; i < n; i++) {
    const y = p.y[i]!
    if (p.kind === 'logistic') labels[i] = y >= 0.5 ? 1 : 0
    else if (Number.isInteger(y) && y >= 0 && y < k) labels[i * k + y] = 1
    else
      throw new MsflError('DATA_FORMAT', `validation label ${y} at row ${i} is outside 0..${k - 1}`)
  }
  for (let i = 0; i < p.x.length; i++)
    if (!Number.isFinite(p.x[i]!))
      throw new MsflError('DATA_FORMAT', `validation feature ${i} is not finite`)
  const encoded = fixedPointIntegers(p.x, p.fractionBits)
  const xShares = shareRing(encodeFixedPoint(p.x, p.fractionBits), p.parties, p.rng)
  const labelShares = shareRing(encodeFixedPoint(labels, 0), p.parties, p.rng)
  return {
    rowBound: maxRowAbsSum(encoded, n, p.d),
    shares: xShares.map((x, i) => ({ x, labels: labelShares[i]! })),
  }
}
