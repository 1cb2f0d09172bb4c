import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { imageDataset, MNIST_CLASS_NAMES } from '../../src/core/data/imageDataset.ts'
import { parseIdxImages, parseIdxLabels } from '../../src/core/data/parseIdx.ts'
import { MsflError } from '../../src/core/errors/msflError.ts'

function idxImages(count: number, rows: number, cols: number, pixels: number[]): Uint8Array {
  const bytes = new Uint8Array(16 + pixels.length)
  const view = new DataView(bytes.buffer)
  view.setUint32(0, 0x803)
  view.setUint32(4, count)
  view.setUint32(8, rows)
  view.setUint32(12, cols)
  bytes.set(pixels, 16)
  return bytes
}

function idxLabels(labels: number[]): Uint8Array {
  const bytes = new Uint8Array(8 + labels.length)
  const view = new DataView(bytes.buffer)
  view.setUint32(0, 0x801)
  view.setUint32(4, labels.length)
  bytes.set(labels, 8)
  return bytes
}

const formatError = (pattern: RegExp) => (error: unknown) =>
  error instanceof MsflError && error.code === 'DATA_FORMAT' && pattern.test(error.message)

describe('parseIdxImages / parseIdxLabels', () => {
  it('parses a valid image file without copying the pixels', () => {
    const bytes = idxImages(2, 2, 2, [0, 255, 0, 255, 1, 2, 3, 4])
    const images = parseIdxImages(bytes, 'img')
    assert.deepEqual([images.count, images.rows, images.cols], [2, 2, 2])
    assert.equal(images.pixels.buffer, bytes.buffer)
    assert.deepEqual([...images.pixels], [0, 255, 0, 255, 1, 2, 3, 4])
  })

  it('honours the byte offset of a view into a larger buffer', () => {
    const inner = idxLabels([3, 1, 4])
    const outer = new Uint8Array(inner.length + 5)
    outer.set(inner, 5)
    assert.deepEqual([...parseIdxLabels(outer.subarray(5), 'lbl')], [3, 1, 4])
  })

  it('rejects a wrong magic number, naming the file', () => {
    const labels = idxLabels([1, 2, 3, 4, 5, 6, 7, 8])
    assert.throws(
      () => parseIdxImages(labels, 'mnist/x-images'),
      formatError(/^mnist\/x-images: not an IDX image file \(magic 0x00000801/),
    )
    assert.throws(
      () => parseIdxLabels(idxImages(1, 1, 1, [0]), 'mnist/x-labels'),
      formatError(/^mnist\/x-labels: not an IDX label file/),
    )
  })

  it('rejects a file shorter than its header', () => {
    assert.throws(
      () => parseIdxImages(new Uint8Array(10), 'short'),
      formatError(/shorter than the 16-byte IDX header/),
    )
    assert.throws(
      () => parseIdxLabels(new Uint8Array(3), 'short'),
      formatError(/shorter than the 8-byte IDX header/),
    )
  })

  it('rejects truncated and over-long files', () => {
    const full = idxImages(2, 2, 2, [1, 2, 3, 4, 5, 6, 7, 8])
    assert.throws(
      () => parseIdxImages(full.subarray(0, full.length - 1), 'cut'),
      formatError(/length 23 bytes does not match the 24 bytes/),
    )
    const longer = new Uint8Array(full.length + 1)
    longer.set(full)
    assert.throws(
      () => parseIdxImages(longer, 'long'),
      formatError(/length 25 bytes does not match the 24 bytes/),
    )
    const labels = idxLabels([1, 2, 3])
    assert.throws(
      () => parseIdxLabels(labels.subarray(0, 10), 'lbl'),
      formatError(/does not match the 11 bytes/),
    )
  })

  it('rejects zero-sized images', () => {
    assert.throws(
      () => parseIdxImages(idxImages(0, 0, 28, []), 'zero'),
      formatError(/size 0x28 is empty/),
    )
  })
})

describe('imageDataset', () => {
  const images = parseIdxImages(
    idxImages(1, 4, 4, [0, 255, 0, 0, 255, 255, 0, 0, 0, 0, 51, 51, 0, 0, 51, 51]),
    'img',
  )

  it('scales pixels to [0, 1]', () => {
    const data = imageDataset('t', images, idxLabels([7]).subarray(8), MNIST_CLASS_NAMES)
    assert.equal(data.d, 16)
    assert.equal(data.x[1], 1)
    assert.ok(Math.abs(data.x[10]! - 0.2) < 1e-7)
    assert.equal(data.y[0], 7)
    assert.equal(data.featureNames[5], 'px_1_1')
  })

  it('downsamples by average pooling and normalises rows to unit L2 norm', () => {
    const labels = idxLabels([7]).subarray(8)
    const pooled = imageDataset('t', images, labels, MNIST_CLASS_NAMES, { downsample: 2 })
    assert.deepEqual(
      [...pooled.x].map((v) => Number(v.toFixed(6))),
      [0.75, 0, 0, 0.2],
    )
    const unit = imageDataset('t', images, labels, MNIST_CLASS_NAMES, { downsample: 2, l2: true })
    const norm = Math.hypot(...unit.x)
    assert.ok(Math.abs(norm - 1) < 1e-6)
    assert.ok(Math.abs(unit.x[0]! / unit.x[3]! - 3.75) < 1e-5)
  })

  it('rejects mismatched label counts, out-of-range labels and bad pooling sizes', () => {
    assert.throws(
      () => imageDataset('t', images, new Uint8Array(2), MNIST_CLASS_NAMES),
      formatError(/1 images but 2 labels/),
    )
    assert.throws(
      () => imageDataset('t', images, Uint8Array.of(10), MNIST_CLASS_NAMES),
      formatError(/label 10 of row 0 is outside 0\.\.9/),
    )
    assert.throws(
      () => imageDataset('t', images, Uint8Array.of(1), MNIST_CLASS_NAMES, { downsample: 3 }),
      (e: unknown) =>
        e instanceof MsflError && e.code === 'CONFIG_INVALID' && /downsample/.test(e.message),
    )
  })
})
