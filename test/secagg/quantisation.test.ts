import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MsflError } from '../../src/core/errors/msflError.ts'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'
import {
  checkQuantisation,
  defaultLevels,
  dequantiseSum,
  type Quantisation,
  quantisationErrorBound,
  quantisationStep,
  quantiseInto,
  RING_MAX_SUM,
} from '../../src/core/secagg/quantisation.ts'

/** Quantises each input, adds in Z_2^32 as the protocol does, reads the sum back. */
function ringSum(inputs: Float64Array[], q: Quantisation): Float64Array {
  const sum = new Uint32Array(inputs[0]!.length)
  const one = new Uint32Array(sum.length)
  for (const x of inputs) {
    quantiseInto(x, q, one)
    for (let j = 0; j < sum.length; j++) sum[j]! += one[j]!
  }
  return dequantiseSum(sum, q)
}

describe('fixed-point quantisation into Z_2^32', () => {
  it('default levels are the finest for which n clients cannot overflow', () => {
    for (const n of [1, 2, 10, 100, 1000, 12345]) {
      const b = defaultLevels(n)
      assert.ok(n * b <= RING_MAX_SUM && n * (b + 1) > RING_MAX_SUM, `n = ${n}`)
      checkQuantisation({ clip: 3, levels: b }, n)
    }
  })

  it('refuses levels that could overflow, naming the field and the limit', () => {
    assert.throws(
      () => checkQuantisation({ clip: 1, levels: defaultLevels(100) + 1 }, 100),
      (e: unknown) =>
        e instanceof MsflError &&
        e.code === 'CONFIG_INVALID' &&
        /quantisation.levels = 21474837 overflows .* levels ≤ 21474836/.test(e.message),
    )
    assert.throws(() => checkQuantisation({ clip: 0, levels: 5 }, 3), /quantisation.clip/)
    assert.throws(() => checkQuantisation({ clip: 1, levels: 2.5 }, 3), /quantisation.levels/)
  })

  it('the sum of n random inputs is within n·Δ/2 (plus float terms) of the exact clipped sum', () => {
    const rng = createSeededRng(11)
    for (const n of [10, 100]) {
      const q = { clip: 0.5, levels: defaultLevels(n) }
      const inputs = Array.from({ length: n }, () =>
        Float64Array.from({ length: 2000 }, () => rng.next() - 0.5),
      )
      const got = ringSum(inputs, q)
      const bound = quantisationErrorBound(q, n)
      assert.ok(bound < n * quantisationStep(q) * 0.5 * (1 + 1e-5) + 1e-12)
      for (let j = 0; j < got.length; j++) {
        let exact = 0
        for (const x of inputs) exact += x[j]!
        assert.ok(Math.abs(got[j]! - exact) <= bound + n * n * 2 ** -53, `n = ${n}, j = ${j}`)
      }
    }
  })

  it('does not wrap at the extremes: n inputs all at +clip or all at −clip', () => {
    const n = 100
    const q = { clip: 2, levels: defaultLevels(n) }
    const high = Array.from({ length: n }, () => new Float64Array([2, 5, 1e300]))
    const low = Array.from({ length: n }, () => new Float64Array([-2, -5, -1e300]))
    for (const v of ringSum(high, q)) assert.ok(Math.abs(v - n * 2) <= quantisationErrorBound(q, n))
    for (const v of ringSum(low, q)) assert.ok(Math.abs(v + n * 2) <= quantisationErrorBound(q, n))
  })

  it('the bound is nearly attained by values halfway between levels', () => {
    const n = 10
    const q = { clip: 1, levels: 1000 }
    const step = quantisationStep(q)
    // 0.0005 = 0.5 Δ: each rounds away from zero by Δ/2.
    const inputs = Array.from({ length: n }, () => new Float64Array([3.5 * step]))
    const error = Math.abs(ringSum(inputs, q)[0]! - n * 3.5 * step)
    assert.ok(error > 0.9 * n * step * 0.5 && error <= quantisationErrorBound(q, n))
  })

  it('refuses NaN and infinite values instead of clipping them', () => {
    const out = new Uint32Array(2)
    const q = { clip: 1, levels: 100 }
    assert.throws(
      () => quantiseInto(new Float64Array([0, Number.NaN]), q, out),
      /input value 1 is NaN/,
    )
    assert.throws(
      () => quantiseInto(new Float64Array([Number.POSITIVE_INFINITY, 0]), q, out),
      /Infinity/,
    )
  })
})
