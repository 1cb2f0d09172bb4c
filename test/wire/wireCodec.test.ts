import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MsflError } from '../../src/core/errors/msflError.ts'
import { decodeMessage } from '../../src/core/wire/decodeMessage.ts'
import { encodeMessage } from '../../src/core/wire/encodeMessage.ts'

const roundTrip = (value: unknown) => decodeMessage(encodeMessage(value))

describe('wire codec', () => {
  it('round-trips every supported kind of value exactly', () => {
    const value = {
      nothing: null,
      yes: true,
      no: false,
      n: -1.5e-300,
      nan: Number.NaN,
      inf: Number.NEGATIVE_INFINITY,
      text: 'grüße, 数据 🚀',
      big: -(2n ** 300n) + 7n,
      zero: 0n,
      f64: new Float64Array([1 / 3, -0, Number.MAX_VALUE]),
      f32: new Float32Array([0.1, 2.5]),
      i32: new Int32Array([-(2 ** 31), 2 ** 31 - 1]),
      bytes: new Uint8Array([0, 255, 7]),
      list: [1, 'two', [3, { four: 4 }]],
      empty: {},
    }
    const back = roundTrip(value) as typeof value
    assert.deepEqual(back, value)
    assert.ok(Object.is((back.f64 as Float64Array)[1], -0))
    assert.ok(back.f64 instanceof Float64Array)
  })

  it('lays large byte arrays out exactly as small ones: in place, in order, every byte', () => {
    // Arrays of 64 KiB and more are held by reference and copied once at the end; the
    // bytes must be the same as if each had been written where it occurs.
    const pattern = (n: number, seed: number) =>
      Uint8Array.from({ length: n }, (_, i) => (i * seed + 7) & 0xff)
    const big = pattern(200_000, 31)
    const exact = pattern(64 * 1024, 17)
    const justBelow = pattern(64 * 1024 - 1, 13)
    const weights = Float64Array.from({ length: 9000 }, (_, i) => i / 7)
    const value = {
      a: big,
      b: 'between',
      c: [justBelow, exact, 1.5, weights],
      d: big.subarray(5, 70_005),
    }
    const bytes = encodeMessage(value)
    assert.deepEqual(decodeMessage(bytes), { ...value, d: big.slice(5, 70_005) })
    // The same arrays written small (split into pieces under the threshold) give a message of the
    // same length whose every array is found at the same place.
    const at = (needle: Uint8Array, from = 0) => {
      const first = needle[0]!
      for (let i = bytes.indexOf(first, from); i >= 0; i = bytes.indexOf(first, i + 1))
        if (needle.every((x, k) => bytes[i + k] === x)) return i
      return -1
    }
    const a = at(big)
    const c1 = at(exact, a + big.length)
    assert.ok(a > 0 && c1 > a + big.length, 'the held arrays keep their order')
    assert.equal(
      bytes.length,
      encodeMessage({ ...value, a: 0, d: 0 }).length + 2 * 4 + (big.length + 70_000) - 2 * 8,
    )
  })

  it('copies byte arrays unless asked for views, and views are the same bytes', () => {
    const bytes = encodeMessage({
      payload: new Uint8Array([1, 2, 3, 4]),
      list: [new Uint8Array(3)],
    })
    const copied = decodeMessage(bytes) as { payload: Uint8Array }
    const viewed = decodeMessage(bytes, { viewBytes: true }) as { payload: Uint8Array }
    assert.deepEqual(viewed, copied)
    assert.notEqual(copied.payload.buffer, bytes.buffer)
    assert.equal(viewed.payload.buffer, bytes.buffer)
    copied.payload[0] = 9
    assert.equal(viewed.payload[0], 1, 'a copy does not write through')
  })

  it('omits undefined properties like JSON but refuses undefined array items', () => {
    assert.deepEqual(roundTrip({ a: 1, b: undefined }), { a: 1 })
    assert.throws(() => encodeMessage([1, undefined]), /\$\[1\]: undefined/)
  })

  it('refuses values that could not cross a network, naming the path', () => {
    assert.throws(() => encodeMessage({ f: () => 1 }), /\$\.f: a function/)
    assert.throws(() => encodeMessage({ when: new Date(0) }), /\$\.when: a Date instance/)
    assert.throws(() => encodeMessage({ m: new Map() }), /Map instance/)
    assert.throws(() => encodeMessage(Symbol('x')), /symbol/)
  })

  it('decodes typed arrays from unaligned offsets', () => {
    const bytes = encodeMessage({ v: new Float64Array([1, 2, 3]) })
    const shifted = new Uint8Array(bytes.length + 1)
    shifted.set(bytes, 1)
    assert.deepEqual(decodeMessage(shifted.subarray(1)), { v: new Float64Array([1, 2, 3]) })
  })

  it('decodes from a pooled Node Buffer without aliasing the pool', () => {
    const encoded = encodeMessage({ v: new Float64Array([1, 2]), b: new Uint8Array([9]) })
    const pooled = Buffer.from(encoded)
    const back = decodeMessage(pooled) as { v: Float64Array; b: Uint8Array }
    assert.equal(back.v.length, 2)
    assert.equal(back.v.buffer.byteLength, 16)
    assert.equal(back.b.buffer.byteLength, 1)
    pooled.fill(0)
    assert.deepEqual([...back.v], [1, 2])
  })

  it('rejects malformed input with a CODEC error instead of crashing', () => {
    const good = encodeMessage({ params: new Float64Array(16), round: 3, label: 'abc' })
    const cases: Uint8Array[] = [
      new Uint8Array(0),
      new Uint8Array([1, 2, 3, 4, 5, 6]),
      good.subarray(0, good.length - 3),
      Uint8Array.from([...good, 0]),
      Uint8Array.from([...good.subarray(0, 4), 99, ...good.subarray(5)]),
      // a vector claiming four billion elements
      Uint8Array.from([0x4d, 0x53, 0x46, 0x4c, 1, 7, 0xff, 0xff, 0xff, 0xff]),
      // an array claiming more elements than bytes left
      Uint8Array.from([0x4d, 0x53, 0x46, 0x4c, 1, 5, 0xff, 0xff, 0xff, 0x0f]),
      // unknown tag
      Uint8Array.from([0x4d, 0x53, 0x46, 0x4c, 1, 200]),
      // invalid UTF-8 string
      Uint8Array.from([0x4d, 0x53, 0x46, 0x4c, 1, 4, 2, 0, 0, 0, 0xc3, 0x28]),
      // object with a __proto__ key
      Uint8Array.from([
        0x4d,
        0x53,
        0x46,
        0x4c,
        1,
        6,
        1,
        0,
        0,
        0,
        9,
        0,
        0,
        0,
        ...new TextEncoder().encode('__proto__'),
        0,
      ]),
    ]
    for (const bytes of cases) {
      assert.throws(
        () => decodeMessage(bytes),
        (e: unknown) => e instanceof MsflError && e.code === 'CODEC',
      )
    }
  })

  it('survives random corruption of a valid message without unexpected exceptions', () => {
    const good = encodeMessage({
      type: 'fit-result',
      vector: new Float64Array([1, 2, 3]),
      meta: { a: [1, 'x'] },
    })
    let state = 12345
    for (let trial = 0; trial < 2000; trial++) {
      const bytes = good.slice()
      for (let k = 0; k < 3; k++) {
        state = (Math.imul(state, 1103515245) + 12345) >>> 0
        const index = 5 + (state % (bytes.length - 5))
        bytes[index] = (state >>> 8) & 0xff
      }
      try {
        decodeMessage(bytes)
      } catch (e) {
        assert.ok(e instanceof MsflError && e.code === 'CODEC', `unexpected ${String(e)}`)
      }
    }
  })

  it('bounds BigInts, objects and the memory a small input may claim, naming the cause', () => {
    const codec = (pattern: RegExp) => (e: unknown) =>
      e instanceof MsflError && e.code === 'CODEC' && pattern.test(e.message)
    const big = 2n ** 8000n - 1n // 1,000 bytes
    assert.equal(roundTrip(big), big)
    assert.throws(
      () => decodeMessage(encodeMessage(big), { maxBigIntBytes: 999 }),
      codec(/bigint of 1000 bytes exceeds the limit of 999/),
    )
    const wide = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, i]))
    assert.deepEqual(roundTrip(wide), wide)
    assert.throws(
      () => decodeMessage(encodeMessage(wide), { maxObjectEntries: 9 }),
      codec(/object of 10 entries exceeds the limit of 9/),
    )
    // 2 MB of empty objects would take about 30 MB of heap: refused, not built.
    const empties = new Uint8Array(10 + 5 * 400_000)
    empties.set([0x4d, 0x53, 0x46, 0x4c, 1, 5])
    new DataView(empties.buffer).setUint32(6, 400_000, true)
    for (let at = 10; at < empties.length; at += 5) empties[at] = 6
    assert.throws(() => decodeMessage(empties), codec(/decoding would take more than 3×/))
    // A realistic message of the same size decodes.
    const vectors = { v: new Float64Array(250_000), ids: Array.from({ length: 100 }, String) }
    assert.deepEqual(roundTrip(vectors), vectors)
  })

  it('enforces the size limit and the nesting bound', () => {
    assert.throws(
      () => decodeMessage(encodeMessage('x'.repeat(100)), { maxBytes: 50 }),
      /exceeds the limit/,
    )
    let deep: unknown = 1
    for (let i = 0; i < 70; i++) deep = [deep]
    assert.throws(() => encodeMessage(deep), /nesting deeper/)
  })
})
