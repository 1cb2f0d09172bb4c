import { MsflError } from '../errors/msflError.ts'

/**
 * Arithmetic modulo the prime p = 2^256 + 297, the field Shamir sharing works in.
 * p is the smallest prime above 2^256, so every 32-byte secret (an X25519 secret key
 * or a mask seed, both uniformly random 256-bit strings) is a field element as it is,
 * with no reduction and no loss of entropy. Elements travel as 33 big-endian bytes.
 */
export const FIELD_PRIME = (1n << 256n) + 297n
export const FIELD_ELEMENT_BYTES = 33

export function fieldAdd(a: bigint, b: bigint): bigint {
  const s = a + b
  return s >= FIELD_PRIME ? s - FIELD_PRIME : s
}

export function fieldMul(a: bigint, b: bigint): bigint {
  return (a * b) % FIELD_PRIME
}

/** Reduces any integer (also negative) into [0, p). */
export function fieldReduce(a: bigint): bigint {
  const r = a % FIELD_PRIME
  return r < 0n ? r + FIELD_PRIME : r
}

/** Multiplicative inverse by the extended Euclidean algorithm; 0 has none. */
export function fieldInverse(a: bigint): bigint {
  let r0 = FIELD_PRIME
  let r1 = fieldReduce(a)
  if (r1 === 0n) throw new MsflError('PROTOCOL', 'field element 0 has no inverse')
  let t0 = 0n
  let t1 = 1n
  while (r1 !== 0n) {
    const q = r0 / r1
    ;[r0, r1] = [r1, r0 - q * r1]
    ;[t0, t1] = [t1, t0 - q * t1]
  }
  return fieldReduce(t0)
}

/** Big-endian bytes (any length) to an integer; the caller checks the range. */
export function bytesToBigint(bytes: Uint8Array): bigint {
  let hex = ''
  for (const b of bytes) hex += b.toString(16).padStart(2, '0')
  return hex === '' ? 0n : BigInt(`0x${hex}`)
}

/** A non-negative integer below 2^(8·length) as `length` big-endian bytes. */
export function bigintToBytes(value: bigint, length: number): Uint8Array {
  if (value < 0n || value >> BigInt(8 * length) !== 0n)
    throw new MsflError('PROTOCOL', `integer does not fit in ${length} bytes`)
  const hex = value.toString(16).padStart(2 * length, '0')
  const out = new Uint8Array(length)
  for (let i = 0; i < length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16)
  return out
}

/** Decodes a 33-byte share value, refusing anything outside [0, p). */
export function fieldFromBytes(bytes: Uint8Array, what: string): bigint {
  if (!(bytes instanceof Uint8Array) || bytes.length !== FIELD_ELEMENT_BYTES)
    throw new MsflError('PROTOCOL', `${what} must be ${FIELD_ELEMENT_BYTES} bytes`)
  const value = bytesToBigint(bytes)
  if (value >= FIELD_PRIME) throw new MsflError('PROTOCOL', `${what} is not below the field prime`)
  return value
}

export function fieldToBytes(value: bigint): Uint8Array {
  return bigintToBytes(value, FIELD_ELEMENT_BYTES)
}

/**
 * `count` uniform elements of [0, p) by rejection sampling on 257-bit strings (p ≈ 2^256,
 * so about half the draws are kept): no modulo bias. Draws in bulk, since a client
 * needs 2(t − 1) of them per round.
 */
export function randomFieldElements(
  count: number,
  randomBytes: (length: number) => Uint8Array,
): bigint[] {
  const out: bigint[] = []
  while (out.length < count) {
    const need = count - out.length
    const bytes = randomBytes(FIELD_ELEMENT_BYTES * need)
    for (let k = 0; k < need; k++) {
      const chunk = bytes.subarray(k * FIELD_ELEMENT_BYTES, (k + 1) * FIELD_ELEMENT_BYTES)
      chunk[0] = chunk[0]! & 0x01
      const value = bytesToBigint(chunk)
      if (value < FIELD_PRIME) out.push(value)
    }
    bytes.fill(0)
  }
  return out
}
