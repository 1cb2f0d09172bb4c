import { MsflError } from '../../core/errors/msflError.ts'
import { SEAL_VERSION } from './loadSeal.ts'

/**
 * SEAL's `Serialization::SEALHeader`, the 16 bytes in front of every serialized object
 * (and of every object nested in one: the keys inside a key-switching key, a
 * ciphertext's data array, a seed):
 *
 * | offset | field | value |
 * | --- | --- | --- |
 * | 0 | magic, uint16 LE | 0xA15E |
 * | 2 | header_size, uint8 | 0x10 |
 * | 3 | version_major, uint8 | 4 |
 * | 4 | version_minor, uint8 | 1 (SEAL 4.1.2, what node-seal 6 bundles) |
 * | 5 | compr_mode, uint8 | 0 none, 1 zlib, 2 zstd |
 * | 6 | reserved, uint16 | 0 |
 * | 8 | size, uint64 LE | total bytes including this header |
 *
 * This runs before any byte reaches SEAL 4.1.2, whose deserialisation predates the
 * hardening of 4.3.3/4.4.0 (see THREAT_MODEL.md).
 */
export const SEAL_HEADER_BYTES = 16
const SEAL_MAGIC = 0xa15e

export const ComprMode = { none: 0, zlib: 1, zstd: 2 } as const
export type ComprMode = (typeof ComprMode)[keyof typeof ComprMode]

export interface SealHeader {
  readonly comprMode: ComprMode
  /** Declared total size in bytes, header included. */
  readonly size: number
}

export interface SealHeaderExpectation {
  /** Names the object in error messages, e.g. `ciphertext` or `galois keys`. */
  readonly what: string
  /**
   * The largest total size (header included) this object may have uncompressed. A zlib
   * object may declare up to the header plus zlibStreamBound of the body.
   */
  readonly maxBytes: number
  /** Compression modes accepted for this object; nested objects accept none. */
  readonly compression: readonly ComprMode[]
  /**
   * Where the object ends: by default the header's size must equal the bytes from
   * `offset` to the end, so nothing is appended; nested objects pass `false`.
   */
  readonly exact?: boolean
}

/**
 * Parses and checks the header at `offset`: magic, header size, version, a known and
 * allowed compression mode, reserved bytes zero, and a declared size that fits the
 * bytes and the bound. Throws MsflError('CODEC') naming the first problem.
 */
export function validateSealHeader(
  bytes: Uint8Array,
  expect: SealHeaderExpectation,
  offset = 0,
): SealHeader {
  const fail = (problem: string): never => {
    throw new MsflError('CODEC', `${expect.what}: ${problem}`)
  }
  const available = bytes.length - offset
  if (available < SEAL_HEADER_BYTES)
    fail(`${available} bytes is shorter than a SEAL header (${SEAL_HEADER_BYTES})`)
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, SEAL_HEADER_BYTES)
  const magic = view.getUint16(0, true)
  if (magic !== SEAL_MAGIC) fail(`bad SEAL magic 0x${magic.toString(16).padStart(4, '0')}`)
  if (view.getUint8(2) !== SEAL_HEADER_BYTES) fail(`bad SEAL header size ${view.getUint8(2)}`)
  const major = view.getUint8(3)
  const minor = view.getUint8(4)
  if (major !== SEAL_VERSION.major || minor !== SEAL_VERSION.minor)
    fail(
      `SEAL serialization version ${major}.${minor} (expected ${SEAL_VERSION.major}.${SEAL_VERSION.minor})`,
    )
  const mode = view.getUint8(5)
  if (mode !== ComprMode.none && mode !== ComprMode.zlib && mode !== ComprMode.zstd)
    fail(`unknown compression mode ${mode}`)
  if (!expect.compression.includes(mode as ComprMode))
    fail(
      mode === ComprMode.zstd
        ? 'zstd compression is refused (its decompressed size cannot be bounded before SEAL inflates it)'
        : `compression mode ${mode} is not allowed here`,
    )
  if (view.getUint16(6, true) !== 0) fail('reserved header bytes are not zero')
  const size = view.getBigUint64(8, true)
  if (size < BigInt(SEAL_HEADER_BYTES)) fail(`declared size ${size} is smaller than the header`)
  const maxBytes =
    mode === ComprMode.zlib
      ? SEAL_HEADER_BYTES + zlibStreamBound(expect.maxBytes - SEAL_HEADER_BYTES)
      : expect.maxBytes
  if (size > BigInt(maxBytes))
    fail(`declared size ${size} exceeds the bound of ${maxBytes} bytes for these parameters`)
  if (size > BigInt(available)) fail(`declared size ${size} but only ${available} bytes present`)
  if ((expect.exact ?? true) && size !== BigInt(available))
    fail(`declared size ${size} but ${available} bytes present (trailing data)`)
  return { comprMode: mode as ComprMode, size: Number(size) }
}

/**
 * The largest zlib stream any compressor emits for `rawBytes` of input: zlib's
 * conservative deflateBound (stored or fixed-Huffman blocks make incompressible input a
 * little larger) plus its 2-byte header and 4-byte checksum. A valid stream of
 * pseudo-random coefficients may be larger than the raw object and is not refused for it.
 */
export function zlibStreamBound(rawBytes: number): number {
  return rawBytes + Math.ceil(rawBytes / 8) + Math.ceil(rawBytes / 64) + 5 + 6
}
