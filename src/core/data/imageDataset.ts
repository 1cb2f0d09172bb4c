import { MsflError } from '../errors/msflError.ts'
import type { Dataset } from './dataset.ts'
import type { IdxImages } from './parseIdx.ts'

export const MNIST_CLASS_NAMES: readonly string[] = [
  '0',
  '1',
  '2',
  '3',
  '4',
  '5',
  '6',
  '7',
  '8',
  '9',
]

export const FASHION_MNIST_CLASS_NAMES: readonly string[] = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
]

export interface ImageDatasetOptions {
  /** Scale every row to unit L2 norm (after scaling pixels to [0, 1]). */
  readonly l2?: boolean
  /**
   * Output side length; must divide the image side. 14 turns 28×28 into 14×14 by 2×2
   * average pooling, which cuts model size and simulation time by 4×.
   */
  readonly downsample?: number
}

/**
 * Turns parsed IDX images and labels into a Dataset with pixels scaled to [0, 1].
 * Pooling reads the bytes directly so the full-resolution float copy is never built.
 */
export function imageDataset(
  name: string,
  images: IdxImages,
  labels: Uint8Array,
  classNames: readonly string[],
  options: ImageDatasetOptions = {},
): Dataset {
  if (labels.length !== images.count) {
    throw new MsflError(
      'DATA_FORMAT',
      `${name}: ${images.count} images but ${labels.length} labels; the image and label files do not belong together`,
    )
  }
  const { rows, cols, count: n } = images
  const side = options.downsample ?? rows
  if (rows !== cols || !Number.isInteger(side) || side <= 0 || rows % side !== 0) {
    throw new MsflError(
      'CONFIG_INVALID',
      `${name}: downsample must be a side length dividing ${rows} for ${rows}x${cols} images, got ${side}`,
    )
  }
  const factor = rows / side
  const d = side * side
  const x = new Float32Array(n * d)
  const y = new Float64Array(n)
  const scale = 1 / (255 * factor * factor)
  const pixels = images.pixels
  for (let i = 0; i < n; i++) {
    const label = labels[i]!
    if (label >= classNames.length) {
      throw new MsflError(
        'DATA_FORMAT',
        `${name}: label ${label} of row ${i} is outside 0..${classNames.length - 1}`,
      )
    }
    y[i] = label
    const src = i * rows * cols
    const dst = i * d
    for (let r = 0; r < side; r++) {
      for (let c = 0; c < side; c++) {
        let sum = 0
        for (let dr = 0; dr < factor; dr++) {
          const rowStart = src + (r * factor + dr) * cols + c * factor
          for (let dc = 0; dc < factor; dc++) sum += pixels[rowStart + dc]!
        }
        x[dst + r * side + c] = sum * scale
      }
    }
    if (options.l2) normaliseRow(x, dst, d)
  }
  const featureNames: string[] = []
  for (let r = 0; r < side; r++) for (let c = 0; c < side; c++) featureNames.push(`px_${r}_${c}`)
  return { name, x, y, n, d, numClasses: classNames.length, classNames, featureNames }
}

function normaliseRow(x: Float32Array, start: number, d: number): void {
  let sq = 0
  for (let j = start; j < start + d; j++) sq += x[j]! * x[j]!
  // An all-black image has no direction; leave it at zero rather than divide by zero.
  if (sq === 0) return
  const inv = 1 / Math.sqrt(sq)
  for (let j = start; j < start + d; j++) x[j] = x[j]! * inv
}
