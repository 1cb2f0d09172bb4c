import { MsflError } from '../errors/msflError.ts'

/**
 * How the encrypted logistic-regression gradient packs a model and a batch into CKKS
 * slots (the layout the requestor, the data owners and the service provider share).
 *
 * The slot vector of each ciphertext is cut into K = slots / B blocks of B slots,
 * where B is the batch size rounded up to a power of two. Component j of the model
 * (weight of feature j; the last component is the bias, whose feature is the constant
 * 1) lives in ciphertext ⌊j / K⌋, block j mod K:
 * - in the model, the block holds w_j in all B slots;
 * - in a batch, slot i of the block holds x_ij for batch row i (0 beyond the batch).
 *
 * Gradients come out denser (see `gradientSlot`): each block is cut into Q sub-blocks,
 * Q the number of model ciphertexts rounded up to a power of two (at most B), and
 * ∂L/∂w_j lands in the first slot of sub-block ⌊j / K⌋ mod Q of block j mod K, so the
 * gradient of a model of C ciphertexts fits in ⌈C / Q⌉ ciphertexts (one for C ≤ B).
 */
export interface BlockLayout {
  readonly features: number
  /** features + 1: the last component is the bias. */
  readonly components: number
  /** The largest batch the layout holds. */
  readonly batch: number
  /** B: the batch rounded up to a power of two. */
  readonly blockSize: number
  /** K = slots / B. */
  readonly blocksPerCiphertext: number
  /** C = ⌈components / K⌉ ciphertexts per model or batch. */
  readonly ciphertexts: number
  /** Q: sub-blocks per block in a gradient, a power of two ≥ C where B allows. */
  readonly subBlocks: number
  /** ⌈C / Q⌉ ciphertexts per gradient. */
  readonly gradientCiphertexts: number
  readonly slots: number
}

export function createBlockLayout(features: number, batch: number, slots: number): BlockLayout {
  if (!Number.isInteger(features) || features < 1)
    throw new MsflError(
      'CONFIG_INVALID',
      `layout: features must be a positive integer, got ${features}`,
    )
  if (!Number.isInteger(batch) || batch < 1)
    throw new MsflError('CONFIG_INVALID', `layout: batch must be a positive integer, got ${batch}`)
  if (!Number.isInteger(slots) || slots < 1 || (slots & (slots - 1)) !== 0)
    throw new MsflError('CONFIG_INVALID', `layout: slots must be a power of two, got ${slots}`)
  let blockSize = 1
  while (blockSize < batch) blockSize *= 2
  const blocksPerCiphertext = slots / blockSize
  if (blocksPerCiphertext < 1)
    throw new MsflError(
      'CONFIG_INVALID',
      `layout: a batch of ${batch} needs blocks of ${blockSize} slots, more than the ${slots} available`,
    )
  const components = features + 1
  const ciphertexts = Math.ceil(components / blocksPerCiphertext)
  let subBlocks = 1
  while (subBlocks < ciphertexts && subBlocks < blockSize) subBlocks *= 2
  return {
    features,
    components,
    batch,
    blockSize,
    blocksPerCiphertext,
    ciphertexts,
    subBlocks,
    gradientCiphertexts: Math.ceil(ciphertexts / subBlocks),
    slots,
  }
}

function checkComponent(layout: BlockLayout, j: number): void {
  if (!Number.isInteger(j) || j < 0 || j >= layout.components)
    throw new MsflError('PROTOCOL', `layout: component ${j} outside 0..${layout.components - 1}`)
}

/** Where component j lives in the model and in a batch: its ciphertext and the first slot of its block. */
export function componentSlot(
  layout: BlockLayout,
  j: number,
): { ciphertext: number; slot: number } {
  checkComponent(layout, j)
  const k = layout.blocksPerCiphertext
  return { ciphertext: Math.floor(j / k), slot: (j % k) * layout.blockSize }
}

/**
 * Where component j's gradient ends up: model ciphertext c = ⌊j / K⌋ maps to gradient
 * ciphertext ⌊c / Q⌋ and sub-block c mod Q, and the value sits in the first slot of
 * that sub-block of block j mod K.
 */
export function gradientSlot(layout: BlockLayout, j: number): { ciphertext: number; slot: number } {
  const model = componentSlot(layout, j)
  const q = layout.subBlocks
  return {
    ciphertext: Math.floor(model.ciphertext / q),
    slot: model.slot + (model.ciphertext % q) * (layout.blockSize / q),
  }
}

const emptyVectors = (layout: BlockLayout): Float64Array[] =>
  Array.from({ length: layout.ciphertexts }, () => new Float64Array(layout.slots))

/** The model in block layout: w_j replicated in all B slots of its block, unused blocks 0. */
export function packModel(layout: BlockLayout, weights: Float64Array): Float64Array[] {
  if (weights.length !== layout.components)
    throw new MsflError(
      'PROTOCOL',
      `layout: model has ${weights.length} weights, expected ${layout.components}`,
    )
  const out = emptyVectors(layout)
  for (let j = 0; j < layout.components; j++) {
    const { ciphertext, slot } = componentSlot(layout, j)
    out[ciphertext]!.fill(weights[j]!, slot, slot + layout.blockSize)
  }
  return out
}

function checkRows(layout: BlockLayout, rows: ArrayLike<number>, n: number): void {
  if (rows.length < 1 || rows.length > layout.batch)
    throw new MsflError(
      'PROTOCOL',
      `layout: ${rows.length} batch rows, expected 1..${layout.batch}`,
    )
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!
    if (!Number.isInteger(r) || r < 0 || r >= n)
      throw new MsflError('PROTOCOL', `layout: batch row ${r} outside 0..${n - 1}`)
  }
}

/**
 * A batch in block layout: slot i of component j's block holds feature j of batch
 * row i (1 for the bias); slots of rows beyond the batch and unused blocks hold 0.
 * `x` is row-major with `d` features per row, `rows` the dataset rows of the batch.
 */
export function packBatch(
  layout: BlockLayout,
  x: Float32Array,
  d: number,
  rows: ArrayLike<number>,
): Float64Array[] {
  if (d !== layout.features)
    throw new MsflError('PROTOCOL', `layout: data has ${d} features, expected ${layout.features}`)
  checkRows(layout, rows, Math.floor(x.length / d))
  const out = emptyVectors(layout)
  for (let j = 0; j < layout.components; j++) {
    const { ciphertext, slot } = componentSlot(layout, j)
    const vector = out[ciphertext]!
    if (j === layout.features) vector.fill(1, slot, slot + rows.length)
    else for (let i = 0; i < rows.length; i++) vector[slot + i] = x[rows[i]! * d + j]!
  }
  return out
}

/**
 * The batch as the gradient step multiplies it, scaled by 1/m: plaintext k of gradient
 * ciphertext g multiplies e rotated left by k·B/Q, which holds e at batch row
 * (i + k·B/Q) mod B in slot i of every block. So slot i of block b gets, for sub-block
 * q = ⌊i·Q / B⌋ (model ciphertext gQ + q, component j), x_sj / m of that row s; summing
 * the Q products and then the B/Q slots of each sub-block adds up every batch row of
 * component j exactly once. Rows beyond the batch and missing components are 0, which
 * keeps padding out of the sums. Returns [g][k].
 */
export function packGradientBatch(
  layout: BlockLayout,
  x: Float32Array,
  d: number,
  rows: ArrayLike<number>,
): Float64Array[][] {
  if (d !== layout.features)
    throw new MsflError('PROTOCOL', `layout: data has ${d} features, expected ${layout.features}`)
  checkRows(layout, rows, Math.floor(x.length / d))
  const { blockSize, blocksPerCiphertext, subBlocks } = layout
  const width = blockSize / subBlocks
  const m = rows.length
  return Array.from({ length: layout.gradientCiphertexts }, (_, g) =>
    Array.from({ length: subBlocks }, (_, k) => {
      const out = new Float64Array(layout.slots)
      for (let q = 0; q < subBlocks; q++) {
        const c = g * subBlocks + q
        for (let b = 0; b < blocksPerCiphertext; b++) {
          const j = c * blocksPerCiphertext + b
          if (j >= layout.components) break
          for (let i = q * width; i < (q + 1) * width; i++) {
            const s = (i + k * width) % blockSize
            if (s >= m) continue
            out[b * blockSize + i] = (j === layout.features ? 1 : x[rows[s]! * d + j]!) / m
          }
        }
      }
      return out
    }),
  )
}

/**
 * Labels in block layout: transform(y[rows[i]]) at slot i of EVERY block (the layout
 * of the broadcast linear predictor z), 0 beyond the batch. `y` is indexed by dataset
 * row; `transform` maps a stored label to the slot value (e.g. one-vs-rest, negation).
 */
export function labelsVector(
  layout: BlockLayout,
  y: ArrayLike<number>,
  rows: ArrayLike<number>,
  transform: (label: number) => number = (label) => label,
): Float64Array {
  checkRows(layout, rows, y.length)
  const out = new Float64Array(layout.slots)
  for (let i = 0; i < rows.length; i++) out[i] = transform(y[rows[i]!]!)
  for (let block = 1; block < layout.blocksPerCiphertext; block++)
    out.copyWithin(block * layout.blockSize, 0, layout.blockSize)
  return out
}

/**
 * The left rotations the gradient kernel performs, i.e. the Galois keys the requestor
 * must generate: B·2^k for k < log2(K) (sum the K blocks), B/Q when Q > 1 (step e
 * through the sub-blocks) and 2^k for k < log2(B/Q) (sum within a sub-block).
 */
export function gradientRotations(layout: BlockLayout): number[] {
  const steps: number[] = []
  const width = layout.blockSize / layout.subBlocks
  for (let s = layout.blockSize; s < layout.slots; s *= 2) steps.push(s)
  if (layout.subBlocks > 1) steps.push(width)
  for (let s = 1; s < width; s *= 2) steps.push(s)
  return steps
}
