import { MsflError } from '../errors/msflError.ts'
import type { HeCiphertext, HeEvaluator } from '../ports/he.ts'
import type { Rng } from '../rng/rng.ts'
import {
  type BlockLayout,
  gradientSlot,
  labelsVector,
  packBatch,
  packGradientBatch,
} from './blockLayout.ts'

/**
 * σ(z) ≈ 0.5 + 0.197·z − 0.004·z³: the least-squares cubic fit of the logistic function
 * on [−5, 5] (0.5 + 0.1983·z − 0.00447·z³), rounded, a common choice in encrypted
 * logistic regression. Error at most 0.05 for |z| ≤ 5, growing fast beyond (0.18 at
 * |z| = 6): rows are L2-normalised and the weights decayed so that |z| stays small.
 */
export const SIGMOID_CUBIC = { c0: 0.5, c1: 0.197, c3: -0.004 } as const

/** Levels the kernel consumes: X·w (1), the cubic (2), e·X/m (1). */
export const GRADIENT_DEPTH = 4

export interface GradientBatch {
  /** Row-major features of the owner's whole dataset, `d` per row. */
  readonly x: Float32Array
  readonly d: number
  /** The label of each batch row (y[i] belongs to rows[i]), already mapped to {0, 1}. */
  readonly y: Float64Array
  /** Dataset rows of the batch, at most layout.batch. */
  readonly rows: ArrayLike<number>
}

export interface EncryptedGradientOptions {
  /**
   * CSPRNG for noise flooding (a seeded generator is refused: the flooding values are
   * one-time pads). Without it the result is NOT flooded and reveals the partial sums:
   * only for tests and measurements, never for a gradient that leaves the owner.
   */
  readonly floodRng?: Rng
  /** Standard deviation of the Gaussian noise added to each gradient component (default 2^-24). */
  readonly floodSigma?: number
  /** Half-width R of the uniform noise that overwrites every other slot (default 2^8). */
  readonly floodRange?: number
}

export const DEFAULT_FLOOD_SIGMA = 2 ** -24
export const DEFAULT_FLOOD_RANGE = 2 ** 8

/** How many of each costly operation one gradient takes (for benchmarks and reports). */
export function gradientOperationCounts(layout: BlockLayout): {
  rotations: number
  relinearisations: number
  plainMultiplications: number
} {
  const log2 = (v: number) => Math.round(Math.log2(v))
  const q = layout.subBlocks
  return {
    rotations:
      log2(layout.blocksPerCiphertext) +
      (q - 1) +
      layout.gradientCiphertexts * log2(layout.blockSize / q),
    relinearisations: 2,
    plainMultiplications: layout.ciphertexts + 2 + layout.gradientCiphertexts * q,
  }
}

function checkBatch(batch: GradientBatch): void {
  if (batch.y.length !== batch.rows.length)
    throw new MsflError(
      'PROTOCOL',
      `gradient: ${batch.y.length} labels for ${batch.rows.length} batch rows`,
    )
  for (let i = 0; i < batch.y.length; i++)
    if (!Number.isFinite(batch.y[i]!))
      throw new MsflError('PROTOCOL', `gradient: label ${i} is not finite`)
}

const identityRows = (m: number) => Int32Array.from({ length: m }, (_, i) => i)
const constant = (layout: BlockLayout, value: number) => new Float64Array(layout.slots).fill(value)

/**
 * A data owner's logistic-regression gradient on its plaintext batch under the
 * encrypted model (SPEC C2 step 3), in the block layout: component j's gradient
 * (1/m)·Σ_i (σ(w·x_i) − y_i)·x_ij ends in the first slot of its block. Steps:
 *
 * 1. p_c = model_c ⊙ X_c (one plaintext multiplication per ciphertext).
 * 2. z = Σ_c p_c, then rotate-and-add by B·2^k for k < log2(K). Rotations are cyclic
 *    over the whole slot vector and B divides it, so afterwards EVERY block holds
 *    z_i = w·x_i at slot i: the broadcast to all components costs nothing more.
 * 3. σ(z) with depth 2: z² = z·z and t = c3·z in parallel, then t·z²; c1·z and the
 *    cubic are added once `add` has brought them to the same level.
 * 4. e = σ(z) − y in one addPlain of (c0 − y_i) per slot.
 * 5. Gradient products, packed densely: e is rotated left by k·B/Q for k < Q (Q − 1
 *    rotations, each of the previous result), which walks every block's batch rows
 *    cyclically; rotation k times the plaintext X'_k (`packGradientBatch`) puts, in
 *    each sub-block of each block, the products e_s·x_sj/m of one component for a
 *    share 1/Q of the rows; the Q products are added. X' is zero for rows beyond
 *    the batch and for missing components, so this multiplication is also the 0/1
 *    mask that keeps padding out of the sums.
 * 6. Rotate-and-add by 1, 2, …, B/(2Q): the first slot of each sub-block then holds
 *    the sum over its slots, i.e. over all m rows: that component's gradient.
 *    Compared with one product ciphertext per model ciphertext, summed over whole
 *    blocks, this needs Q − 1 + log2(B/Q) rotations instead of C·log2(B) (14 instead
 *    of 37 on Adult with B = 256, Q = C = 4) and returns ⌈C / Q⌉ ciphertexts.
 *
 * Depth GRADIENT_DEPTH = 4; the model must have that many levels left, and the result
 * keeps the rest (one with `ckks-16384`).
 *
 * Noise flooding, before anything leaves the owner: the other slots of each sub-block
 * hold partial sums Σ_{i ≥ s} x_ij·e_i, which reveal far more than the gradient, and
 * the CKKS error of a decrypted value carries information about the inputs (Li and
 * Micciancio, EUROCRYPT 2021). So every slot that is not a component's is overwritten
 * by adding a uniform value in [−R, R]. R = 2^8 by default: the partial sums are at
 * most a few units (rows have unit norm, |σ̃ − y| ≲ 2), so the statistical distance
 * between two padded values is below 1 %; R is bounded by the integer headroom of
 * the last CKKS level (2^9 with ckks-16384's 50-bit scale), and a larger pad costs
 * precision in every slot (2^20 at a 40-bit scale cost ~1e-4 of the aggregate). Each
 * gradient component gets Gaussian noise of standard deviation σ_f (2^-24 by default,
 * below the kernel's own CKKS error of about 1e-6 so accuracy is unchanged; raising
 * it trades precision for hiding the CKKS error). The requestor's decryption then
 * reveals the gradient ± noise and nothing else.
 */
export function encryptedLogisticGradient(
  he: HeEvaluator,
  model: readonly HeCiphertext[],
  layout: BlockLayout,
  batch: GradientBatch,
  options: EncryptedGradientOptions = {},
): HeCiphertext[] {
  if (model.length !== layout.ciphertexts)
    throw new MsflError(
      'PROTOCOL',
      `gradient: model has ${model.length} ciphertexts, the layout needs ${layout.ciphertexts}`,
    )
  if (he.parameters.slots !== layout.slots)
    throw new MsflError(
      'PROTOCOL',
      `gradient: layout has ${layout.slots} slots, the HE parameters ${he.parameters.slots}`,
    )
  for (const ct of model)
    if (he.levelsLeft(ct) < GRADIENT_DEPTH)
      throw new MsflError(
        'PROTOCOL',
        `gradient: model ciphertexts need ${GRADIENT_DEPTH} levels, one has ${he.levelsLeft(ct)}`,
      )
  checkBatch(batch)
  const { floodRng } = options
  if (floodRng && floodRng.kind !== 'csprng')
    throw new MsflError('PROTOCOL', 'gradient: flooding noise must come from a CSPRNG')
  const m = batch.rows.length
  const x = packBatch(layout, batch.x, batch.d, batch.rows)

  return he.scope(() => {
    // 1–2: z_i = w·x_i broadcast to every block.
    let z = he.multiplyPlain(model[0]!, x[0]!)
    for (let c = 1; c < layout.ciphertexts; c++) z = he.add(z, he.multiplyPlain(model[c]!, x[c]!))
    for (let s = layout.blockSize; s < layout.slots; s *= 2) z = he.add(z, he.rotate(z, s))

    // 3–4: e = c0 + c1·z + c3·z³ − y.
    const cubic = he.multiply(
      he.multiplyPlain(z, constant(layout, SIGMOID_CUBIC.c3)),
      he.multiply(z, z),
    )
    const sigma = he.add(cubic, he.multiplyPlain(z, constant(layout, SIGMOID_CUBIC.c1)))
    const shift = labelsVector(layout, batch.y, identityRows(m), (y) => SIGMOID_CUBIC.c0 - y)
    const e = he.addPlain(sigma, shift)

    // 5–6: per component, (1/m)·Σ_i e_i·x_ij in the first slot of its sub-block.
    const q = layout.subBlocks
    const width = layout.blockSize / q
    const walked = [e]
    for (let k = 1; k < q; k++) walked.push(he.rotate(walked[k - 1]!, width))
    return packGradientBatch(layout, batch.x, batch.d, batch.rows).map((plain, c) => {
      // k = 0 always covers rows 0… of sub-block 0; a later X'_k is all zero when the
      // batch is short and C < Q (SEAL refuses a product with a zero plaintext).
      let g = he.multiplyPlain(walked[0]!, plain[0]!)
      for (let k = 1; k < q; k++)
        if (plain[k]!.some((v) => v !== 0)) g = he.add(g, he.multiplyPlain(walked[k]!, plain[k]!))
      for (let s = 1; s < width; s *= 2) g = he.add(g, he.rotate(g, s))
      return floodRng ? he.addPlain(g, floodVector(layout, c, floodRng, options)) : g
    })
  })
}

/** Uniform ±R in every slot of gradient ciphertext c except component slots, which get N(0, σ_f²). */
function floodVector(
  layout: BlockLayout,
  c: number,
  rng: Rng,
  options: EncryptedGradientOptions,
): Float64Array {
  const sigma = options.floodSigma ?? DEFAULT_FLOOD_SIGMA
  const range = options.floodRange ?? DEFAULT_FLOOD_RANGE
  if (!(sigma >= 0 && Number.isFinite(sigma)) || !(range >= 0 && Number.isFinite(range)))
    throw new MsflError('CONFIG_INVALID', 'gradient: flooding σ and R must be finite and ≥ 0')
  const isComponent = new Uint8Array(layout.slots)
  for (let j = 0; j < layout.components; j++) {
    const at = gradientSlot(layout, j)
    if (at.ciphertext === c) isComponent[at.slot] = 1
  }
  const out = new Float64Array(layout.slots)
  for (let slot = 0; slot < layout.slots; slot++)
    out[slot] = isComponent[slot] ? sigma * rng.normal() : range * (2 * rng.next() - 1)
  return out
}

/**
 * The same gradient in float64 on plaintext weights: same cubic sigmoid, same batch,
 * same 1/m. It is the plaintext-arithmetic mode of the protocol, the reference the
 * encrypted result is compared against (their difference is the CKKS error).
 */
export function plaintextLogisticGradient(
  weights: Float64Array,
  layout: BlockLayout,
  batch: GradientBatch,
): Float64Array {
  if (weights.length !== layout.components)
    throw new MsflError(
      'PROTOCOL',
      `gradient: ${weights.length} weights, the layout has ${layout.components} components`,
    )
  checkBatch(batch)
  const { x, d, y, rows } = batch
  if (d !== layout.features)
    throw new MsflError('PROTOCOL', `gradient: data has ${d} features, expected ${layout.features}`)
  const m = rows.length
  if (m < 1 || m > layout.batch)
    throw new MsflError('PROTOCOL', `gradient: ${m} batch rows, expected 1..${layout.batch}`)
  for (let i = 0; i < m; i++)
    if (!Number.isInteger(rows[i]) || rows[i]! < 0 || (rows[i]! + 1) * d > x.length)
      throw new MsflError('PROTOCOL', `gradient: batch row ${rows[i]} outside the data`)
  const gradient = new Float64Array(layout.components)
  for (let i = 0; i < m; i++) {
    const base = rows[i]! * d
    let z = weights[d]!
    for (let j = 0; j < d; j++) z += weights[j]! * x[base + j]!
    const { c0, c1, c3 } = SIGMOID_CUBIC
    const e = c0 + c1 * z + c3 * z * z * z - y[i]!
    for (let j = 0; j < d; j++) gradient[j]! += (e * x[base + j]!) / m
    gradient[d]! += e / m
  }
  return gradient
}
