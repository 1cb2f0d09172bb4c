import { MsflError } from '../errors/msflError.ts'
import { type RingVector, ringCount, ringZeros } from './ring64.ts'

/**
 * Products in Z_2^64 without BigInt. Each element is split into four 16-bit limbs
 * x = Σ x_k·2^(16k); the product mod 2^64 only needs the limb products with
 * k + l ≤ 3, and every partial product is < 2^32, so a dot product accumulates four
 * column sums exactly in doubles as long as each stays below 2^53. The columns are
 * then carried into one 64-bit value (columnsInto). The callers' size checks keep
 * the columns in range: ≤ 4·2^32 per term (≤ 2^19 terms) for ring × ring, and
 * |x|·2^16 per term for a public signed integer x.
 */

const LIMB = 65536
const EXACT = 2 ** 53

/** The four 16-bit limbs of every element, limb-major: out[k][i] is limb k of element i. */
export function ringLimbs(v: RingVector): [Float64Array, Float64Array, Float64Array, Float64Array] {
  const n = ringCount(v)
  const limbs = [
    new Float64Array(n),
    new Float64Array(n),
    new Float64Array(n),
    new Float64Array(n),
  ] as [Float64Array, Float64Array, Float64Array, Float64Array]
  for (let i = 0; i < n; i++) {
    const lo = v[2 * i]!
    const hi = v[2 * i + 1]!
    limbs[0][i] = lo & 0xffff
    limbs[1][i] = lo >>> 16
    limbs[2][i] = hi & 0xffff
    limbs[3][i] = hi >>> 16
  }
  return limbs
}

/**
 * Writes Σ_k columns[4q + k]·2^(16k) mod 2^64 into out[q]. Columns are exact integers
 * (possibly negative) of magnitude < 2^53; each step keeps the low 16 bits and carries
 * the rest, so every intermediate stays exact.
 */
export function columnsInto(out: RingVector, columns: Float64Array): void {
  const n = ringCount(out)
  for (let q = 0; q < n; q++) {
    let t = columns[4 * q]!
    let carry = Math.floor(t / LIMB)
    const l0 = t - carry * LIMB
    t = columns[4 * q + 1]! + carry
    carry = Math.floor(t / LIMB)
    const l1 = t - carry * LIMB
    t = columns[4 * q + 2]! + carry
    carry = Math.floor(t / LIMB)
    const l2 = t - carry * LIMB
    t = columns[4 * q + 3]! + carry
    const l3 = t - Math.floor(t / LIMB) * LIMB
    out[2 * q] = l0 + l1 * LIMB
    out[2 * q + 1] = l2 + l3 * LIMB
  }
}

/**
 * X·W for a public integer matrix X (n × d, row-major, signed, in doubles) and a ring
 * matrix W (d × k): the local step of evaluating a secret-shared linear model on public
 * data. Zero entries of X are skipped (MNIST rows are ~80 % zeros).
 */
export function multiplyPublicByRing(
  x: Float64Array,
  w: RingVector,
  n: number,
  d: number,
  k: number,
): RingVector {
  if (x.length !== n * d || ringCount(w) !== d * k)
    throw new MsflError('PROTOCOL', `matrix product: shapes ${n}×${d} and ${d}×${k} do not match`)
  let maxRow = 0
  for (let i = 0; i < n; i++) {
    let row = 0
    for (let j = 0; j < d; j++) row += Math.abs(x[i * d + j]!)
    if (row > maxRow) maxRow = row
  }
  if (maxRow * LIMB >= EXACT)
    throw new MsflError(
      'CONFIG_INVALID',
      `public matrix rows sum to ${maxRow} in fixed point: too large for exact products (use fewer fraction bits)`,
    )
  const [w0, w1, w2, w3] = ringLimbs(w)
  const columns = new Float64Array(4 * n * k)
  for (let i = 0; i < n; i++) {
    const base = 4 * i * k
    for (let j = 0; j < d; j++) {
      const xv = x[i * d + j]!
      if (xv === 0) continue
      const row = j * k
      for (let c = 0; c < k; c++) {
        const q = base + 4 * c
        columns[q]! += xv * w0[row + c]!
        columns[q + 1]! += xv * w1[row + c]!
        columns[q + 2]! += xv * w2[row + c]!
        columns[q + 3]! += xv * w3[row + c]!
      }
    }
  }
  const out = ringZeros(n * k)
  columnsInto(out, columns)
  return out
}

/** A·B for ring matrices A (n × d) and B (d × k), both full 64-bit. */
export function multiplyRingMatrices(
  a: RingVector,
  b: RingVector,
  n: number,
  d: number,
  k: number,
): RingVector {
  if (ringCount(a) !== n * d || ringCount(b) !== d * k)
    throw new MsflError('PROTOCOL', `matrix product: shapes ${n}×${d} and ${d}×${k} do not match`)
  // Column 3 gathers four limb products < 2^32 per term.
  if (d > 2 ** 19)
    throw new MsflError('CONFIG_INVALID', `inner dimension ${d} too large for exact products`)
  const [a0, a1, a2, a3] = ringLimbs(a)
  const [b0, b1, b2, b3] = ringLimbs(b)
  const columns = new Float64Array(4 * n * k)
  for (let i = 0; i < n; i++) {
    const base = 4 * i * k
    for (let j = 0; j < d; j++) {
      const p = i * d + j
      const x0 = a0[p]!
      const x1 = a1[p]!
      const x2 = a2[p]!
      const x3 = a3[p]!
      if (x0 === 0 && x1 === 0 && x2 === 0 && x3 === 0) continue
      const row = j * k
      for (let c = 0; c < k; c++) {
        const q = base + 4 * c
        const y0 = b0[row + c]!
        const y1 = b1[row + c]!
        const y2 = b2[row + c]!
        const y3 = b3[row + c]!
        columns[q]! += x0 * y0
        columns[q + 1]! += x0 * y1 + x1 * y0
        columns[q + 2]! += x0 * y2 + x1 * y1 + x2 * y0
        columns[q + 3]! += x0 * y3 + x1 * y2 + x2 * y1 + x3 * y0
      }
    }
  }
  const out = ringZeros(n * k)
  columnsInto(out, columns)
  return out
}

/** a ⊙ b element-wise. */
export function multiplyRingElementwise(a: RingVector, b: RingVector): RingVector {
  if (a.length !== b.length)
    throw new MsflError('PROTOCOL', 'element-wise product of ring vectors of different lengths')
  const n = ringCount(a)
  const columns = new Float64Array(4 * n)
  for (let i = 0; i < n; i++) {
    const alo = a[2 * i]!
    const ahi = a[2 * i + 1]!
    const blo = b[2 * i]!
    const bhi = b[2 * i + 1]!
    const x0 = alo & 0xffff
    const x1 = alo >>> 16
    const x2 = ahi & 0xffff
    const x3 = ahi >>> 16
    const y0 = blo & 0xffff
    const y1 = blo >>> 16
    const y2 = bhi & 0xffff
    const y3 = bhi >>> 16
    columns[4 * i] = x0 * y0
    columns[4 * i + 1] = x0 * y1 + x1 * y0
    columns[4 * i + 2] = x0 * y2 + x1 * y1 + x2 * y0
    columns[4 * i + 3] = x0 * y3 + x1 * y2 + x2 * y1 + x3 * y0
  }
  const out = ringZeros(n)
  columnsInto(out, columns)
  return out
}

/** s·v for a public scalar s (any integer; taken mod 2^64): v ⊙ (s, s, …, s). */
export function multiplyRingScalar(v: RingVector, s: bigint): RingVector {
  const u = BigInt.asUintN(64, s)
  const lo = Number(u & 0xffffffffn)
  const hi = Number(u >> 32n)
  const broadcast = new Uint32Array(v.length)
  for (let i = 0; i < v.length; i += 2) {
    broadcast[i] = lo
    broadcast[i + 1] = hi
  }
  return multiplyRingElementwise(v, broadcast)
}
