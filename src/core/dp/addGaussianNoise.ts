import type { Rng } from '../rng/rng.ts'

/** Adds independent N(0, std²) noise to every coordinate of `vector`, in place. */
export function addGaussianNoise(vector: Float64Array, std: number, rng: Rng): void {
  if (std === 0) return
  for (let j = 0; j < vector.length; j++) vector[j]! += std * rng.normal()
}
