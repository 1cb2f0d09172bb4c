import { createSeededRng, deriveSeed } from '../../core/rng/seededRng.ts'

/**
 * The MS-FL model's starting weights, per head: small Gaussian values from the job's seed,
 * so a simulation and a deployment of the same job start from the same model.
 */
export function initialMsflWeights(
  seed: number,
  heads: number,
  components: number,
): Float64Array[] {
  const rng = createSeededRng(deriveSeed(seed, 'init'))
  return Array.from({ length: heads }, () =>
    Float64Array.from({ length: components }, () => 0.01 * rng.normal()),
  )
}
