import type { Dataset } from '../../src/core/data/dataset.ts'
import type { Rng } from '../../src/core/rng/rng.ts'

/** Random features with about `zeroFraction` exact zeros (exercises the sparse paths) and labels drawn by `label`. */
export function randomDataset(
  rng: Rng,
  n: number,
  d: number,
  numClasses: number,
  zeroFraction = 0.4,
): Dataset {
  const x = new Float32Array(n * d)
  for (let j = 0; j < x.length; j++) x[j] = rng.next() < zeroFraction ? 0 : rng.normal()
  const y = new Float64Array(n)
  for (let i = 0; i < n; i++) y[i] = numClasses === 0 ? rng.normal() : rng.nextInt(numClasses)
  return dataset('random', x, y, n, d, numClasses)
}

/** Well-separated Gaussian blobs, one per class, centred at ±3 on distinct axes. */
export function blobs(rng: Rng, n: number, d: number, numClasses: number): Dataset {
  const x = new Float32Array(n * d)
  const y = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const c = i % numClasses
    y[i] = c
    for (let j = 0; j < d; j++) x[i * d + j] = 0.5 * rng.normal()
    x[i * d + (c % d)]! += c < d ? 3 : -3
  }
  return dataset('blobs', x, y, n, d, numClasses)
}

export function dataset(
  name: string,
  x: Float32Array,
  y: Float64Array,
  n: number,
  d: number,
  numClasses: number,
): Dataset {
  return {
    name,
    x,
    y,
    n,
    d,
    numClasses,
    classNames: Array.from({ length: numClasses }, (_, c) => `c${c}`),
    featureNames: Array.from({ length: d }, (_, j) => `f${j}`),
  }
}
