import { fixedPointInteger } from '../../src/core/smpc/fixedPoint.ts'

/**
 * The plaintext the secure protocol must match exactly: the model and data rounded to
 * the same fixed-point grid, logits computed in exact integer arithmetic, and the
 * prediction rule of evaluateModel (softmax: argmax, lowest index on ties; logistic:
 * σ(z) ≥ 0.5, i.e. z ≥ 0). Returns the number of correctly classified rows.
 */
export function fixedPointCorrect(
  kind: 'softmax' | 'logistic',
  params: Float64Array,
  x: Float32Array,
  y: Float64Array,
  d: number,
  fractionBits: number,
): number {
  const k = kind === 'softmax' ? params.length / (d + 1) : 1
  const w = Array.from(params, (v) => BigInt(fixedPointInteger(v, fractionBits)))
  const scale = 2n ** BigInt(fractionBits)
  const n = y.length
  let correct = 0
  for (let i = 0; i < n; i++) {
    const row: bigint[] = []
    for (let j = 0; j < d; j++) row.push(BigInt(fixedPointInteger(x[i * d + j]!, fractionBits)))
    const logits: bigint[] = []
    for (let c = 0; c < k; c++) {
      let z = w[d * k + c]! * scale
      for (let j = 0; j < d; j++) if (row[j] !== 0n) z += row[j]! * w[j * k + c]!
      logits.push(z)
    }
    let predicted: number
    if (kind === 'logistic') predicted = logits[0]! >= 0n ? 1 : 0
    else {
      predicted = 0
      for (let c = 1; c < k; c++) if (logits[c]! > logits[predicted]!) predicted = c
    }
    const label = kind === 'logistic' ? (y[i]! >= 0.5 ? 1 : 0) : y[i]!
    if (predicted === label) correct++
  }
  return correct
}
