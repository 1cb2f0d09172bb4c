import { MsflError } from '../../core/errors/msflError.ts'

/**
 * The combinatorial table format. When every component selects the same number k of its
 * t owners (the MS-FL rule selects t − f, Krum 1, Multi-Krum m), component j's selection
 * is a k-subset c_1 < … < c_k of the owners 0 … t − 1, written as its rank
 * Σ_{m=1..k} C(c_m, m) in the combinatorial number system (0 ≤ rank < C(t, k)) in
 * b = bit length of C(t, k) − 1 bits: t = 10, k = 7 needs 7 bits instead of 10. The ranks
 * follow each other in one bit stream, component j at bits [j·b, (j + 1)·b), least
 * significant bit first; bit p of the stream is bit p mod 8 of byte ⌊p/8⌋ (as in the
 * bitmap), and the unused high bits of the last byte are zero. Ranks at or above C(t, k)
 * are invalid, so every table has exactly one encoding. The contract accepts 0 < k < t ≤
 * 255 (C(255, 127) < 2²⁵¹).
 */

/** The largest owner count the format (and the contract's binomial) allows. */
export const maxCombinatorialOwners = 255

/** C(n, k), exactly; 0 when k > n. */
export function binomial(n: number, k: number): bigint {
  if (!Number.isInteger(n) || !Number.isInteger(k) || n < 0 || k < 0)
    throw new RangeError(`binomial: n and k must be whole numbers ≥ 0, got ${n}, ${k}`)
  if (k > n) return 0n
  const m = Math.min(k, n - k)
  let c = 1n
  for (let i = 1; i <= m; i++) c = (c * BigInt(n - m + i)) / BigInt(i)
  return c
}

/** Bits per component in the combinatorial format: the bit length of C(t, k) − 1. */
export function subsetRankBits(owners: number, k: number): number {
  checkShape(owners, k)
  return (binomial(owners, k) - 1n).toString(2).length
}

/** The rank Σ C(c_m, m) of a set of distinct owner indices (any order). */
export function rankSubset(members: readonly number[]): bigint {
  const sorted = [...members].sort((a, b) => a - b)
  sorted.forEach((c, m) => {
    if (!Number.isInteger(c) || c < 0 || (m > 0 && c === sorted[m - 1]))
      throw new RangeError(`rankSubset: members must be distinct whole numbers ≥ 0, got ${c}`)
  })
  return sorted.reduce((rank, c, m) => rank + binomial(c, m + 1), 0n)
}

/** The k-subset of 0 … owners − 1 with the given rank, in increasing order. */
export function unrankSubset(rank: bigint, owners: number, k: number): number[] {
  checkShape(owners, k)
  const table = pascal(owners, k)
  if (rank < 0n || rank >= table[owners]![k]!)
    throw new MsflError(
      'PROTOCOL',
      `contribution table: rank ${rank} is not below C(${owners}, ${k}) = ${table[owners]![k]}`,
    )
  const members = new Array<number>(k)
  let r = rank
  let c = owners
  for (let m = k; m >= 1; m--) {
    c--
    while (table[c]![m]! > r) c--
    members[m - 1] = c
    r -= table[c]![m]!
  }
  return members
}

/** k when every component selects exactly k owners, undefined otherwise (or for no components). */
export function uniformSelectionSize(
  selected: Uint8Array,
  owners: number,
  components: number,
): number | undefined {
  if (components < 1 || owners < 1 || selected.length !== owners * components) return undefined
  let k: number | undefined
  for (let j = 0; j < components; j++) {
    let count = 0
    for (let i = 0; i < owners; i++) count += selected[j * owners + i]!
    if (k === undefined) k = count
    else if (count !== k) return undefined
  }
  return k
}

/**
 * Encodes a table in which every component selects exactly k owners (selected[j·t + i],
 * 0 or 1). Throws MsflError('PROTOCOL') on a component with another number of owners.
 */
export function packCombinatorial(
  selected: Uint8Array,
  owners: number,
  components: number,
  k: number,
): Uint8Array {
  checkShape(owners, k)
  if (selected.length !== owners * components)
    throw new MsflError(
      'PROTOCOL',
      `contribution table: selected has ${selected.length} cells, expected owners × components = ${owners * components}`,
    )
  const table = pascal(owners, k)
  const stream = new BitStream(subsetRankBits(owners, k), components)
  for (let j = 0; j < components; j++) {
    let rank = 0n
    let m = 0
    for (let i = 0; i < owners; i++) {
      const cell = selected[j * owners + i]!
      if (cell > 1)
        throw new MsflError(
          'PROTOCOL',
          `contribution table: selected[${j * owners + i}] is ${cell}, not 0 or 1`,
        )
      if (cell === 1 && ++m <= k) rank += table[i]![m]!
    }
    if (m !== k)
      throw new MsflError(
        'PROTOCOL',
        `contribution table: component ${j} selects ${m} owners, the combinatorial format needs ${k}`,
      )
    stream.write(j, rank)
  }
  return stream.bytes
}

/**
 * The inverse of packCombinatorial: rejects a table of the wrong size, with padding bits
 * set, or with a rank at or above C(t, k). Returns selected[j·t + i].
 */
export function unpackCombinatorial(
  encoded: Uint8Array,
  owners: number,
  components: number,
  k: number,
): Uint8Array {
  checkShape(owners, k)
  const bits = subsetRankBits(owners, k)
  const stream = BitStream.from(encoded, bits, components)
  const table = pascal(owners, k)
  const limit = table[owners]![k]!
  const selected = new Uint8Array(owners * components)
  for (let j = 0; j < components; j++) {
    let r = stream.read(j)
    if (r >= limit)
      throw new MsflError(
        'PROTOCOL',
        `contribution table: component ${j} has rank ${r}, not below C(${owners}, ${k}) = ${limit}`,
      )
    let c = owners
    for (let m = k; m >= 1; m--) {
      c--
      while (table[c]![m]! > r) c--
      selected[j * owners + c] = 1
      r -= table[c]![m]!
    }
  }
  return selected
}

function checkShape(owners: number, k: number): void {
  if (!Number.isInteger(owners) || owners < 2 || owners > maxCombinatorialOwners)
    throw new MsflError(
      'PROTOCOL',
      `contribution table: the combinatorial format needs 2 to ${maxCombinatorialOwners} owners, got ${owners}`,
    )
  if (!Number.isInteger(k) || k < 1 || k >= owners)
    throw new MsflError(
      'PROTOCOL',
      `contribution table: the combinatorial format needs 0 < k < ${owners} owners, got k = ${k}`,
    )
}

/** Pascal's triangle up to row n, columns 0 … k (C(i, m) = 0 for m > i). */
function pascal(n: number, k: number): bigint[][] {
  const rows: bigint[][] = []
  for (let i = 0; i <= n; i++) {
    const row = new Array<bigint>(k + 1).fill(0n)
    row[0] = 1n
    for (let m = 1; m <= Math.min(i, k); m++) row[m] = rows[i - 1]![m - 1]! + rows[i - 1]![m]!
    rows.push(row)
  }
  return rows
}

/**
 * Fixed-width unsigned fields in a little-endian bit stream: field j is bits
 * [j·width, (j + 1)·width), bit p is bit p mod 8 of byte ⌊p/8⌋.
 */
class BitStream {
  readonly bytes: Uint8Array
  private readonly width: number
  private readonly small: boolean

  constructor(width: number, fields: number, bytes?: Uint8Array) {
    this.width = width
    this.small = width <= 32
    this.bytes = bytes ?? new Uint8Array(Math.ceil((width * fields) / 8))
  }

  /** Wraps received bytes after checking their length and that the padding bits are zero. */
  static from(bytes: Uint8Array, width: number, fields: number): BitStream {
    const bits = width * fields
    if (bytes.length !== Math.ceil(bits / 8))
      throw new MsflError(
        'PROTOCOL',
        `contribution table: the table has ${bytes.length} bytes, ${fields} components of ${width} bits need ${Math.ceil(bits / 8)}`,
      )
    if (bits % 8 !== 0 && bytes[bytes.length - 1]! >> (bits % 8) !== 0)
      throw new MsflError(
        'PROTOCOL',
        'contribution table: padding bits after the last rank are set',
      )
    return new BitStream(width, fields, bytes)
  }

  write(field: number, value: bigint): void {
    let pos = field * this.width
    let left = this.width
    if (this.small) {
      let v = Number(value)
      while (left > 0) {
        const shift = pos & 7
        const n = Math.min(8 - shift, left)
        this.bytes[pos >> 3]! |= (v & ((1 << n) - 1)) << shift
        v = Math.floor(v / 2 ** n)
        pos += n
        left -= n
      }
      return
    }
    let v = value
    while (left > 0) {
      const shift = pos & 7
      const n = Math.min(8 - shift, left)
      this.bytes[pos >> 3]! |= Number(v & BigInt((1 << n) - 1)) << shift
      v >>= BigInt(n)
      pos += n
      left -= n
    }
  }

  read(field: number): bigint {
    let pos = field * this.width
    let left = this.width
    let done = 0
    if (this.small) {
      let v = 0
      while (left > 0) {
        const shift = pos & 7
        const n = Math.min(8 - shift, left)
        v += ((this.bytes[pos >> 3]! >> shift) & ((1 << n) - 1)) * 2 ** done
        done += n
        pos += n
        left -= n
      }
      return BigInt(v)
    }
    let v = 0n
    while (left > 0) {
      const shift = pos & 7
      const n = Math.min(8 - shift, left)
      v |= BigInt((this.bytes[pos >> 3]! >> shift) & ((1 << n) - 1)) << BigInt(done)
      done += n
      pos += n
      left -= n
    }
    return v
  }
}
