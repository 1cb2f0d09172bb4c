import { MsflError } from '../errors/msflError.ts'
import type { Rng } from '../rng/rng.ts'
import type { Dataset, DatasetSplit } from './dataset.ts'

/**
 * Shape of a synthetic Gaussian IoT dataset: classes, features, devices, rows per device, class
 * separation, device drift and noise.
 */
export interface SyntheticOptions {
  /** Number of classes k. */
  readonly classes: number
  /** Feature dimension d. */
  readonly features: number
  /** Number of devices; each device's rows share one drift vector. */
  readonly devices: number
  readonly samplesPerDevice: number
  readonly testSamplesPerDevice: number
  /** Expected Euclidean norm of each class mean (class means are drawn once). */
  readonly separation: number
  /** Expected Euclidean norm of each device's drift vector; 0 means no feature shift. */
  readonly drift: number
  /** Standard deviation of the per-sample Gaussian noise in every feature. */
  readonly noise: number
}

export const DEFAULT_SYNTHETIC_OPTIONS: SyntheticOptions = {
  classes: 5,
  features: 20,
  devices: 10,
  samplesPerDevice: 500,
  testSamplesPerDevice: 100,
  separation: 3,
  drift: 1,
  noise: 1,
}

/**
 * Synthetic IoT-style data: Gaussian classes whose means are shared by all devices,
 * plus a per-device drift vector added to every sample of that device (sensor
 * calibration offsets, placement). This gives feature-distribution skew across devices
 * with a common labelling rule. Labels are uniform per sample; `groups` holds the
 * device id in train and test, so a natural partition gives one client per device.
 *
 * Means and drifts have i.i.d. N(0, s²/d) components, so their norms are ≈ s whatever
 * the dimension, and `separation` / `drift` compare directly with `noise`.
 */
export function generateSynthetic(options: SyntheticOptions, rng: Rng): DatasetSplit {
  validate(options)
  const { classes, features: d, devices, separation, drift } = options
  const means = gaussianMatrix(classes, d, separation / Math.sqrt(d), rng)
  const drifts = gaussianMatrix(devices, d, drift / Math.sqrt(d), rng)
  const classNames = Array.from({ length: classes }, (_, c) => `class${c}`)
  const featureNames = Array.from({ length: d }, (_, j) => `x${j}`)
  const sample = (perDevice: number): Dataset => {
    const n = devices * perDevice
    const x = new Float32Array(n * d)
    const y = new Float64Array(n)
    const groups = new Int32Array(n)
    for (let i = 0; i < n; i++) {
      const device = Math.floor(i / perDevice)
      const label = rng.nextInt(classes)
      y[i] = label
      groups[i] = device
      for (let j = 0; j < d; j++) {
        x[i * d + j] =
          means[label * d + j]! + drifts[device * d + j]! + options.noise * rng.normal()
      }
    }
    return { name: 'synthetic', x, y, n, d, numClasses: classes, classNames, featureNames, groups }
  }
  const train = sample(options.samplesPerDevice)
  const test = sample(options.testSamplesPerDevice)
  return {
    train,
    test,
    description:
      `Synthetic Gaussian IoT: ${classes} classes, ${d} features, ${devices} devices × ` +
      `${options.samplesPerDevice} train / ${options.testSamplesPerDevice} test rows; ` +
      `separation ${separation}, drift ${drift}, noise ${options.noise}`,
  }
}

function gaussianMatrix(rows: number, cols: number, scale: number, rng: Rng): Float64Array {
  const m = new Float64Array(rows * cols)
  for (let i = 0; i < m.length; i++) m[i] = scale * rng.normal()
  return m
}

function validate(options: SyntheticOptions): void {
  const positiveIntegers = ['classes', 'features', 'devices', 'samplesPerDevice'] as const
  for (const key of positiveIntegers) {
    const value = options[key]
    if (!Number.isInteger(value) || value < 1) {
      throw new MsflError(
        'CONFIG_INVALID',
        `synthetic: ${key} must be a positive integer, got ${value}`,
      )
    }
  }
  if (options.classes < 2) {
    throw new MsflError(
      'CONFIG_INVALID',
      `synthetic: classes must be at least 2, got ${options.classes}`,
    )
  }
  if (!Number.isInteger(options.testSamplesPerDevice) || options.testSamplesPerDevice < 0) {
    throw new MsflError(
      'CONFIG_INVALID',
      `synthetic: testSamplesPerDevice must be a non-negative integer, got ${options.testSamplesPerDevice}`,
    )
  }
  for (const key of ['separation', 'drift', 'noise'] as const) {
    const value = options[key]
    if (!Number.isFinite(value) || value < 0) {
      throw new MsflError(
        'CONFIG_INVALID',
        `synthetic: ${key} must be a non-negative number, got ${value}`,
      )
    }
  }
}
