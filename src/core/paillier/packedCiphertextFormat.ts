import { MsflError } from '../errors/msflError.ts'
import { bigintToBytes, bytesToBigint } from './bigintBytes.ts'
import type { PackingLayout } from './packingLayout.ts'
import { packedPlaintexts } from './packValues.ts'

/**
 * Wire format of a packed Paillier update (one client's, or a sum), big-endian:
 *
 * | offset | field | |
 * | --- | --- | --- |
 * | 0 | magic `MSPC` | |
 * | 4 | version, u8 | 1 |
 * | 5 | valueBits, u8 | packing parameters: must equal the receiver's layout |
 * | 6 | maxClients, u32 | |
 * | 10 | slots per ciphertext, u16 | |
 * | 12 | range, f64 | |
 * | 20 | length (values), u32 | |
 * | 24 | count (updates summed), u32 | 1 for a client's update |
 * | 28 | ciphertext bytes, u16 | bytes of n² |
 * | 30 | key fingerprint, 16 bytes | first 16 bytes of SHA-256(n) |
 * | 46 | ⌈length / slots⌉ ciphertexts of `ciphertext bytes` each | |
 *
 * The fingerprint lets a receiver name "another key" as the reason instead of failing
 * later with a garbled plaintext. Nothing here is authenticated: the header is as
 * malleable as the ciphertexts (what the decryptor still detects: docs/paillier.md).
 */
export const PACKED_HEADER_BYTES = 46
export const FINGERPRINT_BYTES = 16
const MAGIC = [0x4d, 0x53, 0x50, 0x43] // 'MSPC'
const VERSION = 1

export interface PackedHeader {
  readonly fingerprint: Uint8Array
  readonly valueBits: number
  readonly maxClients: number
  readonly slots: number
  readonly range: number
  readonly length: number
  readonly count: number
  readonly ciphertextBytes: number
}

/** What the receiver knows: its key and the agreed packing. */
export interface PackedExpectation {
  readonly fingerprint: Uint8Array
  readonly layout: PackingLayout
  /** n²: every ciphertext must lie in [1, n²). */
  readonly modulusSquared: bigint
  readonly ciphertextBytes: number
  /** The update length the receiver expects, when it knows it. */
  readonly length?: number
}

export const hexPrefix = (bytes: Uint8Array) =>
  Array.from(bytes.subarray(0, 6), (b) => b.toString(16).padStart(2, '0')).join('')

export function encodePackedCiphertexts(
  header: PackedHeader,
  ciphertexts: readonly bigint[],
): Uint8Array {
  const width = header.ciphertextBytes
  const out = new Uint8Array(PACKED_HEADER_BYTES + ciphertexts.length * width)
  const view = new DataView(out.buffer)
  out.set(MAGIC, 0)
  view.setUint8(4, VERSION)
  view.setUint8(5, header.valueBits)
  view.setUint32(6, header.maxClients)
  view.setUint16(10, header.slots)
  view.setFloat64(12, header.range)
  view.setUint32(20, header.length)
  view.setUint32(24, header.count)
  view.setUint16(28, width)
  out.set(header.fingerprint.subarray(0, FINGERPRINT_BYTES), 30)
  ciphertexts.forEach((c, i) => {
    bigintToBytes(c, width, out, PACKED_HEADER_BYTES + i * width)
  })
  return out
}

/**
 * Parses untrusted bytes and checks, in this order: size and magic, version, the key
 * fingerprint, the packing parameters, count ∈ [1, maxClients], length, the body size,
 * and every ciphertext in [1, n²). Throws MsflError('CODEC') naming the first problem.
 * (gcd(c, n) = 1 needs the arithmetic backend: the adapter checks it.)
 */
export function decodePackedCiphertexts(
  bytes: Uint8Array,
  expect: PackedExpectation,
): { header: PackedHeader; ciphertexts: bigint[] } {
  const fail = (problem: string): never => {
    throw new MsflError('CODEC', `paillier ciphertext: ${problem}`)
  }
  if (bytes.length < PACKED_HEADER_BYTES)
    fail(`${bytes.length} bytes, shorter than the ${PACKED_HEADER_BYTES}-byte header`)
  if (MAGIC.some((b, i) => bytes[i] !== b)) fail('bad magic (not a packed Paillier ciphertext)')
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const version = view.getUint8(4)
  if (version !== VERSION) fail(`unsupported version ${version} (expected ${VERSION})`)
  const fingerprint = bytes.slice(30, 30 + FINGERPRINT_BYTES)
  if (fingerprint.some((b, i) => b !== expect.fingerprint[i]))
    fail(
      `encrypted under another key (fingerprint ${hexPrefix(fingerprint)}…, this key is ${hexPrefix(expect.fingerprint)}…)`,
    )
  const header: PackedHeader = {
    fingerprint,
    valueBits: view.getUint8(5),
    maxClients: view.getUint32(6),
    slots: view.getUint16(10),
    range: view.getFloat64(12),
    length: view.getUint32(20),
    count: view.getUint32(24),
    ciphertextBytes: view.getUint16(28),
  }
  const { layout } = expect
  for (const field of ['valueBits', 'maxClients', 'slots', 'range'] as const)
    if (!Object.is(header[field], layout[field]))
      fail(`packed with ${field} ${header[field]}, the agreed layout has ${layout[field]}`)
  if (header.ciphertextBytes !== expect.ciphertextBytes)
    fail(`${header.ciphertextBytes}-byte ciphertexts, this key's are ${expect.ciphertextBytes}`)
  if (header.count < 1 || header.count > layout.maxClients)
    fail(`count ${header.count} updates is outside 1..${layout.maxClients} (maxClients)`)
  if (header.length < 1) fail('length 0 (no values)')
  if (expect.length !== undefined && header.length !== expect.length)
    fail(`holds ${header.length} values, expected ${expect.length}`)
  const count = packedPlaintexts(layout, header.length)
  const bodyBytes = bytes.length - PACKED_HEADER_BYTES
  if (bodyBytes !== count * header.ciphertextBytes)
    fail(
      `body is ${bodyBytes} bytes, ${header.length} values need ${count} ciphertexts of ${header.ciphertextBytes} bytes`,
    )
  const ciphertexts: bigint[] = []
  for (let i = 0; i < count; i++) {
    const at = PACKED_HEADER_BYTES + i * header.ciphertextBytes
    const c = bytesToBigint(bytes.subarray(at, at + header.ciphertextBytes))
    if (c === 0n || c >= expect.modulusSquared) fail(`ciphertext ${i} is not in [1, n²)`)
    ciphertexts.push(c)
  }
  return { header, ciphertexts }
}
