import { MsflError } from '../errors/msflError.ts'

/**
 * The binary wire codec every message crosses, in memory and on the network.
 *
 * A message is a plain value: null, boolean, number, string, bigint, arrays, plain
 * objects, and the typed arrays Float64Array, Float32Array, Int32Array and
 * Uint8Array. Anything else (class instances, Map, functions, symbols) is refused
 * at encode time, so a payload that could not cross a real network fails in
 * simulation too. Object properties whose value is `undefined` are omitted, as in
 * JSON; `undefined` anywhere else is refused.
 *
 * Layout: "MSFL" magic, a version byte, then one tagged value. Numbers are float64
 * and typed arrays raw little-endian, so vectors are copied, never re-parsed. The
 * decoder trusts nothing: every length is checked against the bytes left and the
 * nesting depth is bounded, so hostile input fails with a CODEC error.
 */

const MAGIC = [0x4d, 0x53, 0x46, 0x4c] as const
const VERSION = 1
const MAX_DEPTH = 64

enum Tag {
  Null = 0,
  False = 1,
  True = 2,
  Float64 = 3,
  String = 4,
  Array = 5,
  Object = 6,
  Float64Array = 7,
  Float32Array = 8,
  Int32Array = 9,
  Uint8Array = 10,
  BigInt = 11,
}

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

export interface DecodeOptions {
  /** Refuse inputs larger than this many bytes (default 256 MiB). */
  readonly maxBytes?: number
}

const textEncoder = new TextEncoder()
const textDecoder = new TextDecoder('utf-8', { fatal: true })

class Writer {
  private buffer = new Uint8Array(1024)
  private view = new DataView(this.buffer.buffer)
  length = 0

  private ensure(extra: number): void {
    if (this.length + extra <= this.buffer.length) return
    let size = this.buffer.length * 2
    while (size < this.length + extra) size *= 2
    const next = new Uint8Array(size)
    next.set(this.buffer.subarray(0, this.length))
    this.buffer = next
    this.view = new DataView(next.buffer)
  }
  u8(value: number): void {
    this.ensure(1)
    this.buffer[this.length++] = value
  }
  u32(value: number): void {
    this.ensure(4)
    this.view.setUint32(this.length, value, true)
    this.length += 4
  }
  f64(value: number): void {
    this.ensure(8)
    this.view.setFloat64(this.length, value, true)
    this.length += 8
  }
  bytes(bytes: Uint8Array): void {
    this.ensure(bytes.length)
    this.buffer.set(bytes, this.length)
    this.length += bytes.length
  }
  result(): Uint8Array {
    return this.buffer.slice(0, this.length)
  }
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

function typedBytes(array: Float64Array | Float32Array | Int32Array): Uint8Array {
  const raw = new Uint8Array(array.buffer, array.byteOffset, array.byteLength)
  if (littleEndian) return raw
  // Big-endian hosts swap each element so the wire stays little-endian.
  const out = new Uint8Array(raw.length)
  const width = array.BYTES_PER_ELEMENT
  for (let i = 0; i < raw.length; i += width)
    for (let b = 0; b < width; b++) out[i + b] = raw[i + width - 1 - b]!
  return out
}

/** Encodes a plain value; throws MsflError('CODEC') naming the path of anything unserialisable. */
export function encodeMessage(value: unknown): Uint8Array {
  const writer = new Writer()
  for (const byte of MAGIC) writer.u8(byte)
  writer.u8(VERSION)
  writeValue(writer, value, '$', 0)
  return writer.result()
}

function writeValue(w: Writer, value: unknown, path: string, depth: number): void {
  if (depth > MAX_DEPTH) throw new MsflError('CODEC', `${path}: nesting deeper than ${MAX_DEPTH}`)
  if (value === null) {
    w.u8(Tag.Null)
    return
  }
  switch (typeof value) {
    case 'boolean':
      w.u8(value ? Tag.True : Tag.False)
      return
    case 'number':
      w.u8(Tag.Float64)
      w.f64(value)
      return
    case 'string': {
      const bytes = textEncoder.encode(value)
      w.u8(Tag.String)
      w.u32(bytes.length)
      w.bytes(bytes)
      return
    }
    case 'bigint': {
      const negative = value < 0n
      let hex = (negative ? -value : value).toString(16)
      if (hex.length % 2) hex = `0${hex}`
      const bytes = new Uint8Array(hex.length / 2)
      for (let i = 0; i < bytes.length; i++)
        bytes[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16)
      w.u8(Tag.BigInt)
      w.u8(negative ? 1 : 0)
      w.u32(bytes.length)
      w.bytes(bytes)
      return
    }
    case 'object':
      break
    default:
      throw new MsflError('CODEC', `${path}: a ${typeof value} cannot be sent in a message`)
  }
  if (value instanceof Float64Array) {
    writeTyped(w, Tag.Float64Array, value)
    return
  }
  if (value instanceof Float32Array) {
    writeTyped(w, Tag.Float32Array, value)
    return
  }
  if (value instanceof Int32Array) {
    writeTyped(w, Tag.Int32Array, value)
    return
  }
  if (value instanceof Uint8Array) {
    w.u8(Tag.Uint8Array)
    w.u32(value.length)
    w.bytes(value)
    return
  }
  if (Array.isArray(value)) {
    w.u8(Tag.Array)
    w.u32(value.length)
    for (let i = 0; i < value.length; i++) {
      if (value[i] === undefined)
        throw new MsflError('CODEC', `${path}[${i}]: undefined cannot be sent in a message`)
      writeValue(w, value[i], `${path}[${i}]`, depth + 1)
    }
    return
  }
  const proto = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) {
    const name = (value as object).constructor?.name ?? 'unknown'
    throw new MsflError(
      'CODEC',
      `${path}: a ${name} instance cannot be sent in a message (plain objects only)`,
    )
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(
    ([, v]) => v !== undefined,
  )
  w.u8(Tag.Object)
  w.u32(entries.length)
  for (const [key, item] of entries) {
    const bytes = textEncoder.encode(key)
    w.u32(bytes.length)
    w.bytes(bytes)
    writeValue(w, item, `${path}.${key}`, depth + 1)
  }
}

function writeTyped(w: Writer, tag: Tag, array: Float64Array | Float32Array | Int32Array): void {
  w.u8(tag)
  w.u32(array.length)
  w.bytes(typedBytes(array))
}

class Reader {
  offset = 0
  private readonly view: DataView
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }
  need(count: number, what: string): void {
    if (count < 0 || this.offset + count > this.bytes.length)
      throw new MsflError(
        'CODEC',
        `truncated message: ${what} needs ${count} bytes at offset ${this.offset}, ${this.bytes.length - this.offset} left`,
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
}

/** Decodes bytes produced by encodeMessage; throws MsflError('CODEC') on any malformed input. */
export function decodeMessage(bytes: Uint8Array, options: DecodeOptions = {}): unknown {
  const maxBytes = options.maxBytes ?? 256 * 1024 * 1024
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
  const reader = new Reader(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength))
  reader.offset = 5
  const value = readValue(reader, 0)
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
      return r.f64()
    case Tag.String:
      return readString(r, 'string')
    case Tag.BigInt: {
      const negative = r.u8()
      if (negative > 1) throw new MsflError('CODEC', `bad bigint sign byte ${negative}`)
      const bytes = r.take(r.u32('bigint length'), 'bigint')
      let value = 0n
      for (const b of bytes) value = (value << 8n) | BigInt(b)
      return negative ? -value : value
    }
    case Tag.Array: {
      const count = r.u32('array length')
      // Each element takes at least one byte: a cheap bound against huge fake counts.
      r.need(count, 'array elements')
      const out = new Array<unknown>(count)
      for (let i = 0; i < count; i++) out[i] = readValue(r, depth + 1)
      return out
    }
    case Tag.Object: {
      const count = r.u32('object size')
      r.need(count * 5, 'object entries')
      const out: Record<string, unknown> = {}
      for (let i = 0; i < count; i++) {
        const key = readString(r, 'object key')
        if (key === '__proto__' || Object.hasOwn(out, key))
          throw new MsflError(
            'CODEC',
            `object key ${JSON.stringify(key)} is duplicated or forbidden`,
          )
        out[key] = readValue(r, depth + 1)
      }
      return out
    }
    case Tag.Float64Array:
      return readTyped(r, 8, (buf) => new Float64Array(buf))
    case Tag.Float32Array:
      return readTyped(r, 4, (buf) => new Float32Array(buf))
    case Tag.Int32Array:
      return readTyped(r, 4, (buf) => new Int32Array(buf))
    case Tag.Uint8Array:
      return r.take(r.u32('bytes length'), 'bytes').slice()
    default:
      throw new MsflError('CODEC', `unknown tag ${tag} at offset ${r.offset - 1}`)
  }
}

function readString(r: Reader, what: string): string {
  const bytes = r.take(r.u32(`${what} length`), what)
  try {
    return textDecoder.decode(bytes)
  } catch {
    throw new MsflError('CODEC', `${what} is not valid UTF-8`)
  }
}

function readTyped<T>(r: Reader, width: number, make: (buffer: ArrayBuffer) => T): T {
  const count = r.u32('vector length')
  const bytes = r.take(count * width, 'vector')
  // Copy into a fresh, aligned buffer: the input may sit at any offset.
  const copy = bytes.slice()
  if (!littleEndian) {
    for (let i = 0; i < copy.length; i += width) copy.subarray(i, i + width).reverse()
  }
  return make(copy.buffer)
}
