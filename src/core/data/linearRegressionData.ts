import { MsflError } from '../errors/msflError.ts'
import type { Rng } from '../rng/rng.ts'
import type { Dataset, DatasetSplit } from './dataset.ts'

export interface LinearRegressionDataOptions {
  readonly features: number
  readonly samples: number
  readonly testSamples: number
  /** Standard deviation of the Gaussian noise on y. */
  readonly noise: number
}

/**
 * Synthetic linear-regression data (seed 002's setting): x ~ N(0, I_d), y = w·x + b + ε
 * with w ~ N(0, I_d / d), b ~ N(0, 1) and ε ~ N(0, noise²), all from the seeded Rng.
 * The best achievable test RMSE is `noise`, a yardstick for every training variant.
 */
export function generateLinearRegression(
  options: LinearRegressionDataOptions,
  rng: Rng,
): DatasetSplit {
  const { features: d, samples, testSamples, noise } = options
  for (const [key, value] of Object.entries({ features: d, samples, testSamples }))
    if (!Number.isInteger(value) || value < 1)
      throw new MsflError(
        'CONFIG_INVALID',
        `linreg: ${key} must be a positive integer, got ${value}`,
      )
  if (!(noise >= 0 && Number.isFinite(noise)))
    throw new MsflError('CONFIG_INVALID', `linreg: noise must be ≥ 0, got ${noise}`)
  const w = Float64Array.from({ length: d }, () => rng.normal() / Math.sqrt(d))
  const b = rng.normal()
  const featureNames = Array.from({ length: d }, (_, j) => `x${j}`)
  const sample = (n: number, name: string): Dataset => {
    const x = new Float32Array(n * d)
    const y = new Float64Array(n)
    for (let i = 0; i < n; i++) {
      let target = b
      for (let j = 0; j < d; j++) {
        const v = rng.normal()
        x[i * d + j] = v
        target += w[j]! * v
      }
      y[i] = target + noise * rng.normal()
    }
    return { name, x, y, n, d, numClasses: 0, classNames: [], featureNames }
  }
  return {
    train: sample(samples, 'linreg'),
    test: sample(testSamples, 'linreg-test'),
    description: `synthetic linear regression: ${d} Gaussian features, y = w·x + b + N(0, ${noise}²)`,
  }
}
