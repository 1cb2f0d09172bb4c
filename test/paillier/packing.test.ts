import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MsflError } from '../../src/core/errors/msflError.ts'
import {
  createPackingLayout,
  GUARD_BITS,
  packedSumErrorBound,
} from '../../src/core/paillier/packingLayout.ts'
import { packedPlaintexts, packValues } from '../../src/core/paillier/packValues.ts'
import { unpackSum } from '../../src/core/paillier/unpackSum.ts'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'

const throwsMsfl = (fn: () => unknown, code: string, pattern: RegExp) =>
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof MsflError, `not an MsflError: ${e}`)
    assert.equal(e.code, code)
    assert.match(e.message, pattern)
    return true
  })

describe('Paillier packing layout', () => {
  it('fits 98 16-bit values with 4 headroom bits for 16 clients into a 2048-bit plaintext', () => {
    const layout = createPackingLayout(2048, { valueBits: 16, maxClients: 16, range: 1 })
    assert.equal(layout.headroomBits, 4)
    assert.equal(layout.slotBits, 20)
    // (2048 − 1 − 64) / 20 = 99 slots, one of them the counter.
    assert.equal(layout.slots, 98)
    assert.equal(layout.usedBits, 99 * 20)
    assert.ok(layout.usedBits <= 2048 - 1 - GUARD_BITS)
    assert.equal(layout.step, 2 / 65535)
    // 17 clients need a fifth headroom bit.
    assert.equal(
      createPackingLayout(2048, { valueBits: 16, maxClients: 17, range: 1 }).slotBits,
      21,
    )
    assert.equal(createPackingLayout(2048, { valueBits: 16, maxClients: 1, range: 1 }).slotBits, 16)
  })

  it('refuses options it cannot honour, naming the field', () => {
    const ok = { valueBits: 16, maxClients: 10, range: 1 }
    throwsMsfl(
      () => createPackingLayout(2048, { ...ok, valueBits: 0 }),
      'CONFIG_INVALID',
      /valueBits/,
    )
    throwsMsfl(
      () => createPackingLayout(2048, { ...ok, valueBits: 49 }),
      'CONFIG_INVALID',
      /valueBits/,
    )
    throwsMsfl(
      () => createPackingLayout(2048, { ...ok, maxClients: 0 }),
      'CONFIG_INVALID',
      /maxClients/,
    )
    throwsMsfl(() => createPackingLayout(2048, { ...ok, range: 0 }), 'CONFIG_INVALID', /range/)
    throwsMsfl(
      () => createPackingLayout(2048, { ...ok, range: Number.NaN }),
      'CONFIG_INVALID',
      /range/,
    )
    throwsMsfl(
      () => createPackingLayout(2048, { valueBits: 48, maxClients: 100, range: 1 }),
      'CONFIG_INVALID',
      /exceeds 53/,
    )
    throwsMsfl(
      () => createPackingLayout(100, { valueBits: 16, maxClients: 10, range: 1 }),
      'CONFIG_INVALID',
      /no room/,
    )
  })
})

describe('packing and unpacking', () => {
  const layout = createPackingLayout(2048, { valueBits: 16, maxClients: 16, range: 0.5 })

  // Adding the packed plaintexts as integers is exactly what the homomorphic sum does.
  const sumOf = (updates: Float64Array[]) =>
    updates.map((u) => packValues(layout, u)).reduce((acc, pts) => acc.map((m, i) => m + pts[i]!))

  it('decodes the sum of 16 clients within count·Δ/2, edges of the range included', () => {
    const rng = createSeededRng(11)
    const length = 250
    const updates = Array.from({ length: 16 }, () =>
      Float64Array.from({ length }, () => (rng.next() - 0.5) * 1.0),
    )
    updates[0]![0] = 0.5
    updates[1]![0] = -0.5
    updates[2]!.fill(0.5, 10, 20)
    const plaintexts = sumOf(updates)
    assert.equal(plaintexts.length, packedPlaintexts(layout, length))
    assert.equal(plaintexts.length, 3)
    const sum = unpackSum(layout, plaintexts, length, 16)
    const bound = packedSumErrorBound(layout, 16)
    for (let j = 0; j < length; j++) {
      const exact = updates.reduce((s, u) => s + u[j]!, 0)
      assert.ok(Math.abs(sum[j]! - exact) <= bound, `value ${j}: ${sum[j]} vs ${exact}`)
    }
    // All clients at +range fill every slot to its maximum 16·(2^16 − 1) < 2^20: no carry.
    const full = Array.from({ length: 16 }, () => new Float64Array(length).fill(0.5))
    const top = unpackSum(layout, sumOf(full), length, 16)
    assert.ok(top.every((v) => Math.abs(v - 8) <= bound))
  })

  it('refuses non-finite and out-of-range values unless asked to saturate', () => {
    throwsMsfl(
      () => packValues(layout, Float64Array.of(0, Number.NaN)),
      'PROTOCOL',
      /value 1 is not finite/,
    )
    throwsMsfl(
      () => packValues(layout, Float64Array.of(0.7)),
      'PROTOCOL',
      /value 0 = 0.7 is outside/,
    )
    throwsMsfl(() => packValues(layout, new Float64Array(0)), 'PROTOCOL', /no values/)
    const saturated = packValues(layout, Float64Array.of(0.7, -3), { saturate: true })
    assert.deepEqual(Array.from(unpackSum(layout, saturated, 2, 1)), [0.5, -0.5])
  })

  it('detects plaintexts no honest sum can produce, naming the check', () => {
    const one = packValues(layout, Float64Array.of(0.1, 0.2))
    const [m] = one
    throwsMsfl(
      () => unpackSum(layout, [m! + (1n << BigInt(layout.usedBits + 3))], 2, 1),
      'PROTOCOL',
      /plaintext 0 has non-zero guard bits/,
    )
    throwsMsfl(
      () => unpackSum(layout, one, 2, 2),
      'PROTOCOL',
      /counts 1 summed updates, the header says 2/,
    )
    // A value slot above 1·(2^16 − 1) cannot come from one update.
    const slot1 = BigInt(layout.slotBits)
    throwsMsfl(
      () => unpackSum(layout, [m! + (70_000n << slot1)], 2, 1),
      'PROTOCOL',
      /slot 0 holds \d+, more than 1 updates can sum to/,
    )
    // Slot 5 is padding for a 2-value update: honest owners leave it 0.
    throwsMsfl(
      () => unpackSum(layout, [m! + (1n << (6n * slot1))], 2, 1),
      'PROTOCOL',
      /non-zero padding slot 5/,
    )
    throwsMsfl(
      () => unpackSum(layout, [...one, ...one], 2, 1),
      'PROTOCOL',
      /2 plaintexts for 2 values/,
    )
  })
})
