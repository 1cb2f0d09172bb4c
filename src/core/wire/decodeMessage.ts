import { MsflError } from '../errors/msflError.ts'
import {
  DECODE_MEMORY_ALLOWANCE,
  DECODE_MEMORY_FACTOR,
  DEFAULT_MAX_BIGINT_BYTES,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_MAX_OBJECT_ENTRIES,
  type DecodeOptions,
  littleEndian,
  MAGIC,
  MAX_DEPTH,
  Tag,
  VERSION,
} from './wireFormat.ts'

const textDecoder = new TextDecoder('utf-8', { fatal: true })

/**
 * Heap bytes a decoded value takes at most in V8 on a 64-bit host (no pointer
 * compression, Node's default), measured and rounded up: a pointer in its parent, a heap
 * number, a string (two bytes per character in the worst case), a BigInt, a plain object
 * and its dictionary entries, an array, a typed array with its buffer. The decoder charges
 * these BEFORE allocating, so a small input cannot build a large structure.
 */
const Cost = {
  slot: 8,
  number: 16,
  // The string, and the view the UTF-8 decoder reads it from until it is collected.
  string: (utf8Bytes: number) => 48 + 2 * utf8Bytes,
  bigint: (bytes: number) => 32 + 8 * Math.ceil(bytes / 8),
  array: 64,
  object: 80,
  objectEntry: 56,
  typedArray: 320,
} as const

/** Two hex digits per byte as one UTF-16 code unit pair, in host byte order (see bigintFrom). */
const HEX_PAIRS = new Uint16Array(256)
for (let b = 0; b < 256; b++) {
  const digits = b.toString(16).padStart(2, '0')
  const first = digits.charCodeAt(0)
  const second = digits.charCodeAt(1)
  HEX_PAIRS[b] = littleEndian ? first | (second << 8) : (first << 8) | second
}
const ASCII_0X = littleEndian ? 0x30 | (0x78 << 8) : (0x30 << 8) | 0x78

class Reader {
  offset = 0
  private readonly view: DataView
  /** Heap bytes the decoded value may still take. */
  private budget: number
  constructor(
    readonly bytes: Uint8Array,
    readonly limits: Required<Omit<DecodeOptions, 'maxBytes'>>,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    this.budget = DECODE_MEMORY_FACTOR * bytes.length + DECODE_MEMORY_ALLOWANCE
  }
  need(count: number, what: string): void {
    if (count < 0 || this.offset + count > this.bytes.length)
      throw new MsflError(
        'CODEC',
        `truncated message: ${what} needs ${count} bytes at offset ${this.offset}, ${this.bytes.length - this.offset} left`,
      )
  }
  /** Reserves heap for what is about to be built; refuses once the budget is spent. */
  charge(bytes: number, what: string): void {
    this.budget -= bytes
    if (this.budget < 0)
      throw new MsflError(
        'CODEC',
        `${what} at offset ${this.offset}: decoding would take more than ${DECODE_MEMORY_FACTOR}× the message's ${this.bytes.length} bytes (+${DECODE_MEMORY_ALLOWANCE}) of memory`,
      )
  }
  u8(): number {
    this.need(1, 'tag')
    return this.bytes[this.offset++]!
  }
  u32(what: string): number {
    this.need(4, what)
    const v = this.view.getUint32(this.offset, true)
    this.offset += 4
    return v
  }
  f64(): number {
    this.need(8, 'number')
    const v = this.view.getFloat64(this.offset, true)
    this.offset += 8
    return v
  }
  take(count: number, what: string): Uint8Array {
    this.need(count, what)
    const out = this.bytes.subarray(this.offset, this.offset + count)
    this.offset += count
    return out
  }
  /** A copy of the next `count` bytes in a fresh, aligned buffer (no intermediate view). */
  copy(count: number, what: string): ArrayBuffer {
    this.need(count, what)
    const start = this.bytes.byteOffset + this.offset
    this.offset += count
    return this.bytes.buffer.slice(start, start + count) as ArrayBuffer
  }
}

/**
 * Decodes bytes produced by encodeMessage; throws MsflError('CODEC') on any malformed or
 * oversized input. Time is linear in the input, and the decoded value takes at most
 * DECODE_MEMORY_FACTOR × its size plus DECODE_MEMORY_ALLOWANCE bytes of heap.
 */
export function decodeMessage(bytes: Uint8Array, options: DecodeOptions = {}): unknown {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_MESSAGE_BYTES
  if (!(bytes instanceof Uint8Array)) throw new MsflError('CODEC', 'message must be bytes')
  if (bytes.length > maxBytes)
    throw new MsflError(
      'CODEC',
      `message of ${bytes.length} bytes exceeds the limit of ${maxBytes}`,
    )
  if (bytes.length < 5 || MAGIC.some((b, i) => bytes[i] !== b))
    throw new MsflError('CODEC', 'not an msfl message (bad magic)')
  if (bytes[4] !== VERSION)
    throw new MsflError('CODEC', `unsupported wire version ${bytes[4]} (expected ${VERSION})`)
  // A Node Buffer's slice() is a view into a shared pool, not a copy: normalise to a
  // plain Uint8Array so every slice below really copies.
  const reader = new Reader(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
    maxBigIntBytes: options.maxBigIntBytes ?? DEFAULT_MAX_BIGINT_BYTES,
    maxObjectEntries: options.maxObjectEntries ?? DEFAULT_MAX_OBJECT_ENTRIES,
    viewBytes: options.viewBytes ?? false,
  })
  reader.offset = 5
  let value: unknown
  try {
    value = readValue(reader, 0)
  } catch (error) {
    if (error instanceof MsflError) throw error
    // The budget keeps allocations far below the engine's limits; should one still fail
    // (a RangeError from a full heap), it is this message's fault, not a crash.
    throw new MsflError('CODEC', `message could not be decoded: ${String(error)}`, {
      cause: error,
    })
  }
  if (reader.offset !== bytes.length)
    throw new MsflError('CODEC', `${bytes.length - reader.offset} trailing bytes after the message`)
  return value
}

function readValue(r: Reader, depth: number): unknown {
  if (depth > MAX_DEPTH) throw new MsflError('CODEC', `nesting deeper than ${MAX_DEPTH}`)
  const tag = r.u8()
  switch (tag) {
    case Tag.Null:
      return null
    case Tag.False:
      return false
    case Tag.True:
      return true
    case Tag.Float64:
      r.charge(Cost.number, 'number')
      return r.f64()
    case Tag.String:
      return readString(r, 'string')
    case Tag.BigInt:
      return readBigInt(r)
    case Tag.Array: {
      const count = r.u32('array length')
      // Each element takes at least one byte (null), and a slot in the array.
      r.need(count, 'array elements')
      r.charge(Cost.array + Cost.slot * count, `array of ${count} elements`)
      const out = new Array<unknown>(count)
      for (let i = 0; i < count; i++) out[i] = readValue(r, depth + 1)
      return out
    }
    case Tag.Object:
      return readObject(r, depth)
    case Tag.Float64Array:
      return readTyped(r, 8, (buf) => new Float64Array(buf))
    case Tag.Float32Array:
      return readTyped(r, 4, (buf) => new Float32Array(buf))
    case Tag.Int32Array:
      return readTyped(r, 4, (buf) => new Int32Array(buf))
    case Tag.Uint8Array: {
      const count = r.u32('bytes length')
      r.need(count, 'bytes')
      if (r.limits.viewBytes) {
        r.charge(Cost.typedArray, `${count} bytes`)
        return r.take(count, 'bytes')
      }
      r.charge(Cost.typedArray + count, `${count} bytes`)
      return new Uint8Array(r.copy(count, 'bytes'))
    }
    default:
      throw new MsflError('CODEC', `unknown tag ${tag} at offset ${r.offset - 1}`)
  }
}

function readObject(r: Reader, depth: number): Record<string, unknown> {
  const count = r.u32('object size')
  if (count > r.limits.maxObjectEntries)
    throw new MsflError(
      'CODEC',
      `object of ${count} entries exceeds the limit of ${r.limits.maxObjectEntries}`,
    )
  // A key length (4 bytes) and a value tag (1) per entry at least.
  r.need(count * 5, 'object entries')
  r.charge(Cost.object + Cost.objectEntry * count, `object of ${count} entries`)
  const out: Record<string, unknown> = {}
  for (let i = 0; i < count; i++) {
    const key = readString(r, 'object key')
    if (key === '__proto__' || Object.hasOwn(out, key))
      throw new MsflError('CODEC', `object key ${JSON.stringify(key)} is duplicated or forbidden`)
    out[key] = readValue(r, depth + 1)
  }
  return out
}

function readString(r: Reader, what: string): string {
  const length = r.u32(`${what} length`)
  r.need(length, what)
  r.charge(Cost.string(length), what)
  try {
    return textDecoder.decode(r.take(length, what))
  } catch {
    throw new MsflError('CODEC', `${what} is not valid UTF-8`)
  }
}

/**
 * A BigInt in time linear in its length: the big-endian magnitude becomes one string of
 * hex digits that BigInt parses in a single pass (hex needs no multiplication), instead
 * of one shift-and-add per byte, which copies the growing value each time (quadratic).
 */
function readBigInt(r: Reader): bigint {
  const negative = r.u8()
  if (negative > 1) throw new MsflError('CODEC', `bad bigint sign byte ${negative}`)
  const length = r.u32('bigint length')
  if (length > r.limits.maxBigIntBytes)
    throw new MsflError(
      'CODEC',
      `bigint of ${length} bytes exceeds the limit of ${r.limits.maxBigIntBytes}`,
    )
  r.need(length, 'bigint')
  r.charge(Cost.bigint(length), 'bigint')
  const magnitude = r.take(length, 'bigint')
  // "0x" then two ASCII digits per byte, written as UTF-16 code unit pairs into a byte
  // buffer: the UTF-8 decoder turns pure ASCII into a string at memory speed.
  const digits = new Uint16Array(length + 1)
  digits[0] = ASCII_0X
  for (let i = 0; i < length; i++) digits[i + 1] = HEX_PAIRS[magnitude[i]!]!
  const value = length === 0 ? 0n : BigInt(textDecoder.decode(digits))
  return negative ? -value : value
}

function readTyped<T>(r: Reader, width: number, make: (buffer: ArrayBuffer) => T): T {
  const count = r.u32('vector length')
  r.need(count * width, 'vector')
  r.charge(Cost.typedArray + count * width, `vector of ${count} elements`)
  // Copy into a fresh, aligned buffer: the input may sit at any offset.
  const copy = r.copy(count * width, 'vector')
  if (!littleEndian) {
    const swapped = new Uint8Array(copy)
    for (let i = 0; i < swapped.length; i += width) swapped.subarray(i, i + width).reverse()
  }
  return make(copy)
}
