import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'
import {
  randomRing,
  reconstructBits,
  reconstructRing,
  shareBits,
  shareRing,
} from '../../src/core/smpc/additiveSharing.ts'
import { bitPlanes, plane } from '../../src/core/smpc/bitPlanes.ts'
import {
  decodeFixedPoint,
  encodeFixedPoint,
  fixedPointInteger,
} from '../../src/core/smpc/fixedPoint.ts'
import {
  ringAdd,
  ringAddConstantInto,
  ringAddSmallAt,
  ringFromBigInts,
  ringGetSigned,
  ringNegate,
  ringSub,
  ringSumWhere,
  ringToBigInts,
} from '../../src/core/smpc/ring64.ts'
import {
  multiplyPublicByRing,
  multiplyRingElementwise,
  multiplyRingMatrices,
  multiplyRingScalar,
} from '../../src/core/smpc/ringLimbProducts.ts'

const MOD = 2n ** 64n
const mod = (x: bigint) => ((x % MOD) + MOD) % MOD
const EDGES = [0n, 1n, MOD - 1n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 62n]

function randomBigInts(count: number, seed: number): bigint[] {
  return ringToBigInts(randomRing(count, createSeededRng(seed)))
}

describe('Z_2^64 arithmetic matches BigInt arithmetic mod 2^64', () => {
  const a = [...EDGES, ...randomBigInts(200, 1)]
  const b = [...EDGES.slice().reverse(), ...randomBigInts(200, 2)]
  const ra = ringFromBigInts(a)
  const rb = ringFromBigInts(b)

  it('adds, subtracts and negates with carries across the 32-bit limbs', () => {
    assert.deepEqual(
      ringToBigInts(ringAdd(ra, rb)),
      a.map((x, i) => mod(x + b[i]!)),
    )
    assert.deepEqual(
      ringToBigInts(ringSub(ra, rb)),
      a.map((x, i) => mod(x - b[i]!)),
    )
    assert.deepEqual(
      ringToBigInts(ringNegate(ra)),
      a.map((x) => mod(-x)),
    )
  })

  it('adds constants (BigInt and small signed)', () => {
    const c = Uint32Array.from(ra)
    ringAddConstantInto(c, c, -(2n ** 61n) - 1n)
    assert.deepEqual(
      ringToBigInts(c),
      a.map((x) => mod(x - 2n ** 61n - 1n)),
    )
    const d = Uint32Array.from(ra)
    for (let i = 0; i < a.length; i++) ringAddSmallAt(d, i, i % 2 === 0 ? -(i + 1) : 2 ** 40 + i)
    assert.deepEqual(
      ringToBigInts(d),
      a.map((x, i) => mod(x + (i % 2 === 0 ? -BigInt(i + 1) : 2n ** 40n + BigInt(i)))),
    )
  })

  it('sums selected elements with the carry into the high limb', () => {
    const [lo, hi] = ringSumWhere(ra, 3, a.length - 5, (i) => i % 3 !== 0)
    let expected = 0n
    for (let i = 3; i < a.length - 2; i++) if (i % 3 !== 0) expected += a[i]!
    assert.equal((BigInt(hi) << 32n) | BigInt(lo), mod(expected))
  })

  it('multiplies element-wise and by scalars using 16-bit limbs', () => {
    assert.deepEqual(
      ringToBigInts(multiplyRingElementwise(ra, rb)),
      a.map((x, i) => mod(x * b[i]!)),
    )
    for (const s of [0n, 1n, -1n, 10n, 65537n, 2n ** 40n + 3n, MOD - 12345n])
      assert.deepEqual(
        ringToBigInts(multiplyRingScalar(ra, s)),
        a.map((x) => mod(x * s)),
      )
  })

  it('multiplies ring matrices, and public signed integer matrices by ring matrices', () => {
    const [n, d, k] = [7, 13, 5]
    const x = randomBigInts(n * d, 3)
    const w = randomBigInts(d * k, 4)
    const expected = (left: bigint[]) => {
      const out: bigint[] = []
      for (let i = 0; i < n; i++)
        for (let c = 0; c < k; c++) {
          let s = 0n
          for (let j = 0; j < d; j++) s += left[i * d + j]! * w[j * k + c]!
          out.push(mod(s))
        }
      return out
    }
    const product = multiplyRingMatrices(ringFromBigInts(x), ringFromBigInts(w), n, d, k)
    assert.deepEqual(ringToBigInts(product), expected(x))
    const rng = createSeededRng(5)
    const small = Float64Array.from({ length: n * d }, (_, i) =>
      i % 3 === 0 ? 0 : Math.round((rng.next() - 0.5) * 2 ** 30),
    )
    const publicProduct = multiplyPublicByRing(small, ringFromBigInts(w), n, d, k)
    assert.deepEqual(ringToBigInts(publicProduct), expected(Array.from(small, (v) => BigInt(v))))
  })
})

describe('fixed-point encoding', () => {
  it('round-trips within 2^−(f+1) and encodes negatives in two’s complement', () => {
    const rng = createSeededRng(6)
    const values = Float64Array.from({ length: 500 }, () => (rng.next() - 0.5) * 2000)
    for (const f of [8, 16, 20]) {
      const decoded = decodeFixedPoint(encodeFixedPoint(values, f), f)
      for (let i = 0; i < values.length; i++)
        assert.ok(Math.abs(decoded[i]! - values[i]!) <= 2 ** -(f + 1), `f = ${f}, ${values[i]}`)
    }
    const encoded = encodeFixedPoint([-1, 0.5, -0.25], 16)
    assert.deepEqual(
      [0, 1, 2].map((i) => ringGetSigned(encoded, i)),
      [-65536n, 32768n, -16384n],
    )
  })

  it('saturates huge and non-finite values at ±2^62 so the range check excludes them', () => {
    const encoded = encodeFixedPoint([1e30, -1e30, Number.NaN, Number.POSITIVE_INFINITY], 16)
    assert.deepEqual(
      [0, 1, 2, 3].map((i) => ringGetSigned(encoded, i)),
      [2n ** 62n, -(2n ** 62n), 2n ** 62n, 2n ** 62n],
    )
    // Half-way cases round up (Math.round), on both sides of zero.
    assert.equal(fixedPointInteger(1.5 / 65536, 16), 2)
    assert.equal(fixedPointInteger(-1.5 / 65536, 16), -1)
  })

  it('divides by a FedAvg divisor when decoding', () => {
    const sum = encodeFixedPoint([30, -12], 16)
    assert.deepEqual(Array.from(decodeFixedPoint(sum, 16, 4)), [7.5, -3])
  })
})

describe('additive secret sharing', () => {
  it('rebuilds ring and bit vectors from all shares for 2..5 parties', () => {
    const rng = createSeededRng(8)
    const secret = ringFromBigInts([...EDGES, ...randomBigInts(50, 9)])
    const bits = Uint32Array.from({ length: 40 }, (_, i) => (i * 2654435761) >>> 0)
    for (let parties = 2; parties <= 5; parties++) {
      const shares = shareRing(secret, parties, rng)
      assert.equal(shares.length, parties)
      assert.deepEqual(reconstructRing(shares), secret)
      assert.notDeepEqual(shares[0], secret)
      assert.deepEqual(reconstructBits(shareBits(bits, parties, rng)), bits)
    }
  })

  it('refuses fewer than two parties', () => {
    assert.throws(() => shareRing(new Uint32Array(2), 1, createSeededRng(1)), /at least 2/)
  })
})

describe('bit planes', () => {
  it('puts bit b of value i at plane b, word i >> 5, bit i & 31', () => {
    const values = [...EDGES, ...randomBigInts(56, 10)]
    const planes = bitPlanes(ringFromBigInts(values))
    for (let i = 0; i < values.length; i++)
      for (let b = 0; b < 64; b++) {
        const expected = Number((values[i]! >> BigInt(b)) & 1n)
        assert.equal((plane(planes, b, 2)[i >> 5]! >>> (i & 31)) & 1, expected)
      }
    assert.throws(() => bitPlanes(ringFromBigInts([1n])), /multiple of 32/)
  })
})
