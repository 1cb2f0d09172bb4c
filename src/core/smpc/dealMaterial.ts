import type { Rng } from '../rng/rng.ts'
import { randomRing, randomWords, shareBits, shareRing } from './additiveSharing.ts'
import { bitPlanes } from './bitPlanes.ts'
import type { ComparisonPlan } from './comparisonPlan.ts'
import type { BeaverMaterial, NodeMaterial } from './nodeMaterial.ts'
import { type RingVector, ringSlice, ringZeros } from './ring64.ts'
import { multiplyRingElementwise, multiplyRingMatrices } from './ringLimbProducts.ts'
import type { BeaverShape } from './verificationPlan.ts'

/**
 * The dealer: draws the correlated randomness of one session and splits it into one
 * share per node. It sees no model, no data and no opened value; it only needs the
 * public shape. It must not collude with any node: it knows every mask, so together
 * with one node's view it could unmask the compared values.
 *
 * In a deployment the k − 1 purely random shares of each value would be replaced by
 * PRG seeds to cut the traffic; here every share is sent in full.
 */
export function dealMaterial(
  plan: { readonly comparisons: ComparisonPlan; readonly beaver?: BeaverShape },
  parties: number,
  rng: Rng,
): NodeMaterial[] {
  const c = plan.comparisons
  const masks = randomRing(c.values, rng)
  const maskRing = shareRing(masks, parties, rng)
  const maskPlanes = shareBits(bitPlanes(masks), parties, rng)

  const a = randomWords(c.andWords, rng)
  const b = randomWords(c.andWords, rng)
  const product = new Uint32Array(c.andWords)
  for (let i = 0; i < product.length; i++) product[i] = a[i]! & b[i]!
  const andA = shareBits(a, parties, rng)
  const andB = shareBits(b, parties, rng)
  const andC = shareBits(product, parties, rng)

  const daBits = randomWords(c.resultWords, rng)
  const daBitValues = ringZeros(32 * c.resultWords)
  for (let q = 0; q < 32 * c.resultWords; q++)
    daBitValues[2 * q] = (daBits[q >>> 5]! >>> (q & 31)) & 1
  const daBitWords = shareBits(daBits, parties, rng)
  const daBitRing = shareRing(daBitValues, parties, rng)

  const beaver = plan.beaver ? dealBeaver(plan.beaver, parties, rng) : undefined
  return Array.from({ length: parties }, (_, p) => ({
    maskRing: maskRing[p]!,
    maskPlanes: maskPlanes[p]!,
    andA: andA[p]!,
    andB: andB[p]!,
    andC: andC[p]!,
    daBitWords: daBitWords[p]!,
    daBitRing: daBitRing[p]!,
    ...(beaver ? { beaver: beaver[p]! } : {}),
  }))
}

/** Matrix triples (A, B_m, A·B_m) and element-wise label triples (a, b_m, a ⊙ b_m). */
function dealBeaver(shape: BeaverShape, parties: number, rng: Rng): BeaverMaterial[] {
  const { samples: n, inputDim: d, outputDim: k, models } = shape
  const matrixA = randomRing(n * d, rng)
  const matrixB = randomRing(models * d * k, rng)
  const matrixC = ringZeros(models * n * k)
  const labelA = randomRing(n * k, rng)
  const labelB = randomRing(models * n * k, rng)
  const labelC = ringZeros(models * n * k)
  for (let m = 0; m < models; m++) {
    const bm = ringSlice(matrixB, m * d * k, d * k)
    matrixC.set(multiplyRingMatrices(matrixA, bm, n, d, k), 2 * m * n * k)
    const lb = ringSlice(labelB, m * n * k, n * k)
    labelC.set(multiplyRingElementwise(labelA, lb), 2 * m * n * k)
  }
  const split = (v: RingVector) => shareRing(v, parties, rng)
  const parts = [matrixA, matrixB, matrixC, labelA, labelB, labelC].map(split)
  return Array.from({ length: parties }, (_, p) => ({
    matrixA: parts[0]![p]!,
    matrixB: parts[1]![p]!,
    matrixC: parts[2]![p]!,
    labelA: parts[3]![p]!,
    labelB: parts[4]![p]!,
    labelC: parts[5]![p]!,
  }))
}
