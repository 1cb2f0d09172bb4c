/**
 * Constants and types shared by the encoder and decoder of the wire format
 * (see encodeMessage.ts for the format itself).
 */

export const MAGIC = [0x4d, 0x53, 0x46, 0x4c] as const
export const VERSION = 1
export const MAX_DEPTH = 64

/** One byte before every value says what follows. */
export const Tag = {
  Null: 0,
  False: 1,
  True: 2,
  Float64: 3,
  String: 4,
  Array: 5,
  Object: 6,
  Float64Array: 7,
  Float32Array: 8,
  Int32Array: 9,
  Uint8Array: 10,
  BigInt: 11,
} as const
export type Tag = (typeof Tag)[keyof typeof Tag]

/**
 * The values the wire codec carries: null, booleans, numbers, strings, bigints, byte and float
 * arrays, arrays and plain objects.
 */
export type WireValue =
  | null
  | boolean
  | number
  | string
  | bigint
  | Float64Array
  | Float32Array
  | Int32Array
  | Uint8Array
  | readonly WireValue[]
  | { readonly [key: string]: WireValue | undefined }

/** Limits applied while decoding untrusted bytes. */
export interface DecodeOptions {
  /** Refuse inputs larger than this many bytes (default 256 MiB). */
  readonly maxBytes?: number
  /** Largest BigInt magnitude in bytes (default 64 KiB; msfl's largest, a uint256, takes 32). */
  readonly maxBigIntBytes?: number
  /** Most entries of one object (default 65,536). */
  readonly maxObjectEntries?: number
  /**
   * Decode byte arrays as views into the input instead of copies (default false). Only for
   * a caller that owns the input and is done with each view before it lets go of the input
   * (the transport's envelope, whose payload is itself decoded at once).
   */
  readonly viewBytes?: boolean
}

export const DEFAULT_MAX_MESSAGE_BYTES = 256 * 1024 * 1024
export const DEFAULT_MAX_BIGINT_BYTES = 64 * 1024
export const DEFAULT_MAX_OBJECT_ENTRIES = 65_536

/**
 * The decoded value may take at most MEMORY_FACTOR × the input's size plus
 * MEMORY_ALLOWANCE bytes of heap (by the conservative estimate in decodeMessage), so the
 * input and its decoded form together stay within 4× the input plus the allowance.
 */
export const DECODE_MEMORY_FACTOR = 3
export const DECODE_MEMORY_ALLOWANCE = 1024 * 1024

export const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1
