import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { loadDataset } from '../../src/adapters/data/index.ts'
import { type CkksRequestor, createCkksRequestor } from '../../src/adapters/he-seal/index.ts'
import { createCsprng } from '../../src/adapters/random/index.ts'
import { scaleWithOwnStatistics } from '../../src/core/data/featureScaling.ts'
import { l2NormalizeRows } from '../../src/core/data/l2NormalizeRows.ts'
import { parseDatasetSpec } from '../../src/core/data/parseDatasetSpec.ts'
import {
  type BlockLayout,
  componentSlot,
  createBlockLayout,
  gradientRotations,
  gradientSlot,
  labelsVector,
  packBatch,
  packGradientBatch,
  packModel,
} from '../../src/core/msfl/blockLayout.ts'
import {
  encryptedLogisticGradient,
  type GradientBatch,
  plaintextLogisticGradient,
} from '../../src/core/msfl/encryptedGradient.ts'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'

describe('block layout', () => {
  it('packs a hand-checked example: 5 features, batch 3, 16 slots', () => {
    const layout = createBlockLayout(5, 3, 16)
    assert.deepEqual(layout, {
      features: 5,
      components: 6,
      batch: 3,
      blockSize: 4,
      blocksPerCiphertext: 4,
      ciphertexts: 2,
      subBlocks: 2,
      gradientCiphertexts: 1,
      slots: 16,
    })
    assert.deepEqual(componentSlot(layout, 0), { ciphertext: 0, slot: 0 })
    assert.deepEqual(componentSlot(layout, 3), { ciphertext: 0, slot: 12 })
    assert.deepEqual(componentSlot(layout, 5), { ciphertext: 1, slot: 4 })
    const model = packModel(layout, Float64Array.of(1, 2, 3, 4, 5, 6))
    assert.deepEqual([...model[0]!], [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4])
    assert.deepEqual([...model[1]!], [5, 5, 5, 5, 6, 6, 6, 6, 0, 0, 0, 0, 0, 0, 0, 0])
    // Rows 2 and 0 of a 3-row dataset: x[r][j] = 10·r + j.
    const x = Float32Array.from({ length: 15 }, (_, k) => 10 * Math.floor(k / 5) + (k % 5))
    const batch = packBatch(layout, x, 5, [2, 0])
    assert.deepEqual([...batch[0]!], [20, 0, 0, 0, 21, 1, 0, 0, 22, 2, 0, 0, 23, 3, 0, 0])
    assert.deepEqual([...batch[1]!], [24, 4, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    const y = labelsVector(layout, [7, 8, 9], [2, 0], (v) => -v)
    assert.deepEqual([...y], [-9, -7, 0, 0, -9, -7, 0, 0, -9, -7, 0, 0, -9, -7, 0, 0])
    // Gradients: both model ciphertexts share one, in sub-blocks of 2 slots.
    assert.deepEqual(gradientSlot(layout, 0), { ciphertext: 0, slot: 0 })
    assert.deepEqual(gradientSlot(layout, 3), { ciphertext: 0, slot: 12 })
    assert.deepEqual(gradientSlot(layout, 4), { ciphertext: 0, slot: 2 })
    assert.deepEqual(gradientSlot(layout, 5), { ciphertext: 0, slot: 6 })
    const products = packGradientBatch(layout, x, 5, [2, 0])
    assert.equal(products.length, 1)
    // k = 0: sub-block 0 holds rows 2 and 0 of components 0–3 (÷ m = 2); rows 2–3 of
    // sub-block 1 are beyond the batch.
    assert.deepEqual(
      [...products[0]![0]!],
      [10, 0, 0, 0, 10.5, 0.5, 0, 0, 11, 1, 0, 0, 11.5, 1.5, 0, 0],
    )
    // k = 1: e rotated by 2 brings rows 0–1 to sub-block 1: components 4 and 5 (bias).
    assert.deepEqual([...products[0]![1]!], [0, 0, 12, 2, 0, 0, 0.5, 0.5, 0, 0, 0, 0, 0, 0, 0, 0])
    assert.deepEqual(gradientRotations(layout), [4, 8, 2, 1])
    const adultLayout = createBlockLayout(116, 256, 8192)
    assert.equal(adultLayout.subBlocks, 4)
    assert.equal(adultLayout.gradientCiphertexts, 1)
    assert.deepEqual(
      gradientRotations(adultLayout),
      [256, 512, 1024, 2048, 4096, 64, 1, 2, 4, 8, 16, 32],
    )
    // More model ciphertexts than slots in a block: several gradient ciphertexts.
    const wide = createBlockLayout(40, 2, 16)
    assert.deepEqual([wide.ciphertexts, wide.subBlocks, wide.gradientCiphertexts], [6, 2, 3])
  })

  it('refuses layouts and batches that do not fit', () => {
    assert.throws(() => createBlockLayout(5, 17, 16), { code: 'CONFIG_INVALID' })
    assert.throws(() => createBlockLayout(0, 4, 16), { code: 'CONFIG_INVALID' })
    assert.throws(() => createBlockLayout(5, 4, 24), { code: 'CONFIG_INVALID' })
    const layout = createBlockLayout(5, 3, 16)
    assert.throws(() => packBatch(layout, new Float32Array(15), 5, [0, 1, 2, 0]), {
      code: 'PROTOCOL',
    })
    assert.throws(() => packBatch(layout, new Float32Array(15), 5, [3]), { code: 'PROTOCOL' })
    assert.throws(() => packModel(layout, new Float64Array(5)), { code: 'PROTOCOL' })
  })
})

/** max |decrypted − exact| / max |exact| over the components. */
function componentError(layout: BlockLayout, decrypted: Float64Array[], exact: Float64Array) {
  let error = 0
  let scale = 0
  for (let j = 0; j < layout.components; j++) {
    const { ciphertext, slot } = gradientSlot(layout, j)
    error = Math.max(error, Math.abs(decrypted[ciphertext]![slot]! - exact[j]!))
    scale = Math.max(scale, Math.abs(exact[j]!))
  }
  return error / scale
}

describe('encrypted logistic-regression gradient (ckks-16384)', () => {
  let requestor: CkksRequestor
  // Rotations of both layouts below: every power of two below 8192.
  before(async () => {
    requestor = await createCkksRequestor('ckks-16384', {
      rotations: gradientRotations(createBlockLayout(20, 64, 8192)),
    })
  })
  after(() => requestor.dispose())

  const run = (layout: BlockLayout, weights: Float64Array, batch: GradientBatch, flood = false) => {
    const he = requestor.evaluator
    const model = packModel(layout, weights).map((v) => he.encrypt(v))
    const live = requestor.evaluator.liveCiphertexts
    const out = encryptedLogisticGradient(
      he,
      model,
      layout,
      batch,
      flood ? { floodRng: createCsprng() } : {},
    )
    assert.equal(
      requestor.evaluator.liveCiphertexts,
      live + layout.gradientCiphertexts,
      'intermediates released',
    )
    assert.equal(he.levelsLeft(out[0]!), 1)
    // What the requestor receives: the owner's compact serialisation.
    const decrypted = out.map((ct) =>
      requestor.decryptor.decrypt(he.load(he.save(ct, { compact: true }))),
    )
    for (const ct of [...model, ...out]) he.release(ct)
    return decrypted
  }

  it('matches the plaintext arithmetic on a random batch (20 features, batch 64)', (t) => {
    const layout = createBlockLayout(20, 64, 8192)
    const rng = createSeededRng(11)
    const x = Float32Array.from({ length: 500 * 20 }, () => rng.normal() / Math.sqrt(20))
    const rows = Int32Array.from({ length: 64 }, () => rng.nextInt(500))
    const batch = { x, d: 20, y: Float64Array.from(rows, () => rng.nextInt(2)), rows }
    const weights = Float64Array.from({ length: 21 }, () => rng.normal())
    const exact = plaintextLogisticGradient(weights, layout, batch)
    const error = componentError(layout, run(layout, weights, batch), exact)
    t.diagnostic(`relative error ${error.toExponential(2)}`)
    assert.ok(error < 1e-4)

    // A short batch: rows beyond it are padding and must not contribute (divisor m = 40).
    const short = { ...batch, rows: rows.subarray(0, 40), y: batch.y.subarray(0, 40) }
    const shortExact = plaintextLogisticGradient(weights, layout, short)
    assert.ok(componentError(layout, run(layout, weights, short), shortExact) < 1e-4)
    assert.ok(Math.abs(shortExact[20]! - exact[20]!) > 1e-3, 'the short batch differs')
  })

  it('matches the plaintext arithmetic on L2-normalised Adult rows, flooded', async (t) => {
    // A kernel check, not a federation: one party scales the rows it holds, then normalises them.
    const adult = l2NormalizeRows(
      scaleWithOwnStatistics(await loadDataset(parseDatasetSpec('adult'), 1)).train,
    )
    const layout = createBlockLayout(adult.d, 256, 8192)
    const rng = createSeededRng(12)
    const rows = Int32Array.from({ length: 256 }, () => rng.nextInt(adult.n))
    const batch = { x: adult.x, d: adult.d, y: Float64Array.from(rows, (r) => adult.y[r]!), rows }
    const weights = Float64Array.from({ length: layout.components }, () => rng.normal())
    const exact = plaintextLogisticGradient(weights, layout, batch)
    const decrypted = run(layout, weights, batch, true)
    const error = componentError(layout, decrypted, exact)
    t.diagnostic(
      `Adult (${adult.d} features, ${layout.ciphertexts} ciphertexts): relative error ${error.toExponential(2)}`,
    )
    assert.ok(error < 1e-4)

    // Every slot that is not a component's is overwritten by noise in [−2^8, 2^8]:
    // partial sums are at most a few units, these are almost all larger.
    const component = new Set(
      Array.from({ length: layout.components }, (_, j) => {
        const { ciphertext, slot } = gradientSlot(layout, j)
        return ciphertext * layout.slots + slot
      }),
    )
    let others = 0
    let large = 0
    for (const [c, v] of decrypted.entries())
      for (const [slot, value] of v.entries()) {
        if (component.has(c * layout.slots + slot)) continue
        others++
        if (Math.abs(value) > 4) large++
        assert.ok(Math.abs(value) <= 2 ** 8 + 4)
      }
    assert.ok(large / others > 0.97, `${large} of ${others} slots randomised`)
  })

  it('refuses a seeded flooding generator, a mismatched model and too few levels', () => {
    const layout = createBlockLayout(20, 64, 8192)
    const he = requestor.evaluator
    const model = [he.encrypt(new Float64Array(8192))]
    const batch = { x: new Float32Array(20), d: 20, y: Float64Array.of(1), rows: [0] }
    assert.throws(
      () => encryptedLogisticGradient(he, model, layout, batch, { floodRng: createSeededRng(1) }),
      /CSPRNG/,
    )
    assert.throws(() => encryptedLogisticGradient(he, [], layout, batch), { code: 'PROTOCOL' })
    const low = [
      he.multiplyPlain(
        he.multiplyPlain(model[0]!, new Float64Array(8192).fill(1)),
        new Float64Array(8192).fill(1),
      ),
    ]
    assert.throws(() => encryptedLogisticGradient(he, low, layout, batch), /levels/)
    for (const ct of [...model, ...low]) he.release(ct)
  })
})
