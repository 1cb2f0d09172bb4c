import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { findNoiseMultiplier } from '../../src/core/dp/findNoiseMultiplier.ts'
import { logErfc } from '../../src/core/dp/logErfc.ts'
import { createRdpAccountant, DEFAULT_RDP_ORDERS } from '../../src/core/dp/rdpAccountant.ts'
import { sampledGaussianRdp } from '../../src/core/dp/sampledGaussianRdp.ts'
import { MsflError } from '../../src/core/errors/msflError.ts'
import { close, epsilon } from './accountantHelpers.ts'

describe('findNoiseMultiplier', () => {
  it('returns the smallest σ within the target: ε(σ) ≤ target < ε(σ·(1 − 1e-5))', () => {
    for (const [q, steps, target] of [
      [0.01, 10000, 1],
      [0.0786, 260, 3],
      [1, 20, 5],
    ] as const) {
      const sigma = findNoiseMultiplier({
        targetEpsilon: target,
        delta: 1e-5,
        samplingRate: q,
        steps,
      })
      assert.ok(epsilon(q, sigma, steps, 1e-5, DEFAULT_RDP_ORDERS).epsilon <= target)
      assert.ok(epsilon(q, sigma * (1 - 1e-5), steps, 1e-5, DEFAULT_RDP_ORDERS).epsilon > target)
    }
  })

  it('refuses unreachable or malformed targets', () => {
    assert.throws(
      () => findNoiseMultiplier({ targetEpsilon: 0, delta: 1e-5, samplingRate: 0.1, steps: 10 }),
      MsflError,
    )
    assert.throws(
      () => findNoiseMultiplier({ targetEpsilon: 1, delta: 1e-5, samplingRate: 0.1, steps: 0 }),
      MsflError,
    )
  })
})

describe('accountant properties', () => {
  const orders = DEFAULT_RDP_ORDERS

  it('q = 1 is the Gaussian mechanism: RDP(α) = α/(2σ²) at every order, times the steps', () => {
    for (const sigma of [0.5, 1, 4]) {
      const rdp = sampledGaussianRdp(1, sigma, orders)
      orders.forEach((alpha, k) => {
        assert.equal(rdp[k], alpha / (2 * sigma * sigma))
      })
      const accountant = createRdpAccountant({
        samplingRate: 1,
        noiseMultiplier: sigma,
        delta: 1e-5,
      })
      accountant.step(7)
      accountant.rdp().forEach((r, k) => {
        close(r, (7 * orders[k]!) / (2 * sigma * sigma), 1e-12, 'rdp')
      })
    }
  })

  it('subsampling never costs more than the full Gaussian, and RDP grows with the order', () => {
    for (const [q, sigma] of [
      [0.001, 0.8],
      [0.01, 1.1],
      [0.3, 2],
      [0.9, 0.7],
    ] as const) {
      const rdp = sampledGaussianRdp(q, sigma, orders)
      orders.forEach((alpha, k) => {
        assert.ok(rdp[k]! >= 0 && rdp[k]! <= alpha / (2 * sigma * sigma) + 1e-12, `α ${alpha}`)
        if (k > 0) assert.ok(rdp[k]! >= rdp[k - 1]! - 1e-12, `monotone at α ${alpha} (q ${q})`)
      })
    }
  })

  it('ε grows with the steps and with q, and falls as σ grows', () => {
    let last = 0
    for (const steps of [1, 10, 100, 1000, 10000]) {
      const e = epsilon(0.01, 1.1, steps, 1e-5, orders).epsilon
      assert.ok(e > last, `steps ${steps}`)
      last = e
    }
    last = 0
    for (const q of [0.001, 0.01, 0.05, 0.2, 1]) {
      const e = epsilon(q, 1.1, 100, 1e-5, orders).epsilon
      assert.ok(e > last, `q ${q}`)
      last = e
    }
    last = Number.POSITIVE_INFINITY
    for (const sigma of [0.5, 0.8, 1, 2, 5, 20]) {
      const e = epsilon(0.01, sigma, 1000, 1e-5, orders).epsilon
      assert.ok(e < last, `σ ${sigma}`)
      last = e
    }
  })

  it('q = 0 spends nothing; a larger δ buys a smaller ε', () => {
    assert.equal(epsilon(0, 1, 1000, 1e-5, orders).epsilon, 0)
    const strict = epsilon(0.01, 1, 1000, 1e-7, orders).epsilon
    const loose = epsilon(0.01, 1, 1000, 1e-3, orders).epsilon
    assert.ok(loose < strict)
  })

  it('composes additively: one step of 100 equals 100 steps of 1, and mixed mechanisms add', () => {
    const a = createRdpAccountant({ samplingRate: 0.02, noiseMultiplier: 1.2, delta: 1e-5 })
    const b = createRdpAccountant({ samplingRate: 0.02, noiseMultiplier: 1.2, delta: 1e-5 })
    a.step(100)
    for (let i = 0; i < 100; i++) b.step()
    close(a.spent().epsilon, b.spent().epsilon, 1e-12, 'ε')
    assert.equal(b.steps, 100)
    const mixed = createRdpAccountant({ delta: 1e-5 })
    mixed.step(3, { samplingRate: 0.1, noiseMultiplier: 1 })
    mixed.step(5, { samplingRate: 0.5, noiseMultiplier: 2 })
    const second = sampledGaussianRdp(0.5, 2, orders)
    const expected = sampledGaussianRdp(0.1, 1, orders).map((r, k) => 3 * r + 5 * second[k]!)
    mixed.rdp().forEach((r, k) => {
      close(r, expected[k]!, 1e-12, 'rdp')
    })
    assert.throws(() => mixed.step(1), MsflError, 'no default mechanism')
  })

  it('projects and stops at a budget: spentAfter, wouldExceed and remainingSteps agree', () => {
    const accountant = createRdpAccountant({
      samplingRate: 0.05,
      noiseMultiplier: 1.5,
      delta: 1e-5,
    })
    accountant.step(50)
    const left = accountant.remainingSteps(3)
    assert.ok(left > 0 && Number.isFinite(left))
    assert.ok(accountant.spentAfter(left).epsilon <= 3)
    assert.ok(accountant.spentAfter(left + 1).epsilon > 3)
    assert.equal(accountant.wouldExceed(3, left), false)
    assert.equal(accountant.wouldExceed(3, left + 1), true)
    assert.equal(accountant.steps, 50, 'projections record nothing')
    accountant.step(left)
    assert.equal(accountant.remainingSteps(3), 0)
    assert.equal(accountant.wouldExceed(3), true)
    const free = createRdpAccountant({ samplingRate: 0, noiseMultiplier: 1, delta: 1e-5 })
    assert.equal(free.remainingSteps(1), Number.POSITIVE_INFINITY)
  })

  it('rejects invalid parameters with MsflError', () => {
    assert.throws(() => createRdpAccountant({ delta: 0 }), MsflError)
    assert.throws(() => createRdpAccountant({ delta: 1e-5, samplingRate: 0.1 }), MsflError)
    assert.throws(
      () => createRdpAccountant({ delta: 1e-5, samplingRate: 1.5, noiseMultiplier: 1 }),
      MsflError,
    )
    assert.throws(() => sampledGaussianRdp(0.1, 1, [1]), MsflError)
    const accountant = createRdpAccountant({ delta: 1e-5, samplingRate: 0.1, noiseMultiplier: 1 })
    assert.throws(() => accountant.step(-1), MsflError)
    assert.throws(() => accountant.step(1.5), MsflError)
  })

  it('logErfc matches erfc where it is representable and stays finite far in the tail', () => {
    // erfc values from Abramowitz & Stegun, Table 7.1 (erfc = 1 − erf).
    const table: [number, number][] = [
      [0, 1],
      [0.5, 0.4795001221869535],
      [1, 0.15729920705028513],
      [2, 0.004677734981047266],
      [-1, 1.8427007929497148],
    ]
    for (const [x, erfc] of table) close(logErfc(x), Math.log(erfc), 1e-13, `logErfc(${x})`)
    // Asymptotically log erfc(x) ≈ −x² − log(x·√π).
    close(logErfc(100), -10000 - Math.log(100 * Math.sqrt(Math.PI)) - 1 / 20000, 1e-12, 'tail')
  })
})
