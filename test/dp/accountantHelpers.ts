import assert from 'node:assert/strict'
import { createRdpAccountant } from '../../src/core/dp/rdpAccountant.ts'
import type { RdpConversion } from '../../src/core/dp/rdpToEpsilon.ts'

/** (ε, δ) after `steps` sampled Gaussian steps, from a fresh accountant. */
export function epsilon(
  q: number,
  sigma: number,
  steps: number,
  delta: number,
  orders: readonly number[],
  conversion: RdpConversion = 'improved',
) {
  const accountant = createRdpAccountant({
    samplingRate: q,
    noiseMultiplier: sigma,
    delta,
    orders,
    conversion,
  })
  return accountant.step(steps)
}

export const close = (actual: number, expected: number, relative: number, what: string) =>
  assert.ok(
    Math.abs(actual - expected) <= relative * Math.abs(expected),
    `${what}: got ${actual}, expected ${expected} (±${relative * 100}%)`,
  )
