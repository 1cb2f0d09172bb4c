import type { Dataset } from '../data/dataset.ts'
import { MsflError } from '../errors/msflError.ts'
import type { Rng } from '../rng/rng.ts'

/** Where the trigger goes on a square image of `side` × `side` pixels. */
export interface TriggerGeometry {
  readonly side: number
  readonly size: number
  readonly x: number
  readonly y: number
  /** Pixel value of "white": the largest value in the data. */
  readonly value: number
  readonly target: number
}

/**
 * Resolves the trigger for a dataset of square images (MNIST 28×28 or 14×14,
 * digits 8×8). Positions of −1 mean "one pixel from the right / bottom edge".
 */
export function triggerGeometry(
  data: Dataset,
  options: { size: number; x: number; y: number; target: number },
): TriggerGeometry {
  const side = Math.round(Math.sqrt(data.d))
  if (side * side !== data.d)
    throw new MsflError(
      'CONFIG_INVALID',
      `attack backdoor needs square images; ${data.name} has ${data.d} features`,
    )
  const x = options.x < 0 ? side - options.size - 1 : options.x
  const y = options.y < 0 ? side - options.size - 1 : options.y
  if (options.size > side || x < 0 || y < 0 || x + options.size > side || y + options.size > side)
    throw new MsflError(
      'CONFIG_INVALID',
      `attack backdoor: a ${options.size}×${options.size} square at (${x}, ${y}) does not fit a ${side}×${side} image`,
    )
  if (options.target >= data.numClasses)
    throw new MsflError(
      'CONFIG_INVALID',
      `attack backdoor: target ${options.target} is not a class of ${data.name} (0..${data.numClasses - 1})`,
    )
  let value = 0
  for (let i = 0; i < data.x.length; i++) if (data.x[i]! > value) value = data.x[i]!
  return { side, size: options.size, x, y, value, target: options.target }
}

/** Stamps the trigger on row `row` of a row-major feature matrix, in place. */
export function stampTrigger(x: Float32Array, row: number, g: TriggerGeometry): void {
  const base = row * g.side * g.side
  for (let r = g.y; r < g.y + g.size; r++)
    for (let c = g.x; c < g.x + g.size; c++) x[base + r * g.side + c] = g.value
}

/** A copy of `data` with a `fraction` of rows triggered and relabelled as the target. */
export function poisonWithBackdoor(
  data: Dataset,
  g: TriggerGeometry,
  fraction: number,
  rng: Rng,
): Dataset {
  const x = data.x.slice()
  const y = data.y.slice()
  for (let i = 0; i < data.n; i++) {
    if (fraction >= 1 || rng.next() < fraction) {
      stampTrigger(x, i, g)
      y[i] = g.target
    }
  }
  return { ...data, x, y }
}

/**
 * The attack-success test set: every test row whose true class is not the target,
 * with the trigger stamped. Attack success = share of these predicted as the target.
 */
export function triggeredTestSet(test: Dataset, g: TriggerGeometry): Dataset {
  const rows: number[] = []
  for (let i = 0; i < test.n; i++) if (test.y[i] !== g.target) rows.push(i)
  const x = new Float32Array(rows.length * test.d)
  const y = new Float64Array(rows.length).fill(g.target)
  rows.forEach((src, r) => {
    x.set(test.x.subarray(src * test.d, (src + 1) * test.d), r * test.d)
    stampTrigger(x, r, g)
  })
  return { ...test, name: `${test.name} (triggered)`, x, y, n: rows.length, groups: undefined }
}
