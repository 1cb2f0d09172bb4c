import { MsflError } from '../errors/msflError.ts'
import { littleEndian, MAGIC, MAX_DEPTH, Tag, VERSION } from './wireFormat.ts'

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
 * decoder trusts nothing: every length is checked against the bytes left, the nesting
 * depth, BigInt lengths and object sizes are bounded, every allocation is charged
 * against a memory budget of a small multiple of the input before it is made, and time
 * is linear in the input, so hostile input fails with a CODEC error at bounded cost.
 */

const textEncoder = new TextEncoder()

/**
 * Byte arrays at least this long are not copied into the writer's buffer as they are
 * written: the writer keeps a reference and copies each once, into an output of the exact
 * size, when the message is complete. A model's or a key's megabytes are then copied once
 * instead of once per doubling of a growing buffer (each doubling also touches fresh pages).
 */
const BY_REFERENCE = 64 * 1024

class Writer {
  private buffer = new Uint8Array(1024)
  private view = new DataView(this.buffer.buffer)
  /** Bytes in `buffer`. */
  private used = 0
  /** Large byte arrays not yet copied, each after the first `at` bytes of `buffer`. */
  private readonly held: { readonly at: number; readonly bytes: Uint8Array }[] = []
  /** Bytes written: those in `buffer` and those held. */
  length = 0

  private ensure(extra: number): void {
    if (this.used + extra <= this.buffer.length) return
    let size = this.buffer.length * 2
    while (size < this.used + extra) size *= 2
    const next = new Uint8Array(size)
    next.set(this.buffer.subarray(0, this.used))
    this.buffer = next
    this.view = new DataView(next.buffer)
  }
  u8(value: number): void {
    this.ensure(1)
    this.buffer[this.used++] = value
    this.length++
  }
  u32(value: number): void {
    this.ensure(4)
    this.view.setUint32(this.used, value, true)
    this.used += 4
    this.length += 4
  }
  f64(value: number): void {
    this.ensure(8)
    this.view.setFloat64(this.used, value, true)
    this.used += 8
    this.length += 8
  }
  bytes(bytes: Uint8Array): void {
    this.length += bytes.length
    if (bytes.length >= BY_REFERENCE) {
      this.held.push({ at: this.used, bytes })
      return
    }
    this.ensure(bytes.length)
    this.buffer.set(bytes, this.used)
    this.used += bytes.length
  }
  /**
   * The written bytes. Without a held array, a view of the buffer (no copy); otherwise one
   * output of exactly `length` bytes, the buffer's runs and the held arrays copied in order.
   */
  result(): Uint8Array {
    if (this.held.length === 0) return this.buffer.subarray(0, this.used)
    const out = new Uint8Array(this.length)
    let from = 0
    let to = 0
    for (const { at, bytes } of this.held) {
      out.set(this.buffer.subarray(from, at), to)
      to += at - from
      from = at
      out.set(bytes, to)
      to += bytes.length
    }
    out.set(this.buffer.subarray(from, this.used), to)
    return out
  }
}

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
