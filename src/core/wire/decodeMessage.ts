import { MsflError } from '../errors/msflError.ts'
import { type DecodeOptions, littleEndian, MAGIC, MAX_DEPTH, Tag, VERSION } from './wireFormat.ts'

const textDecoder = new TextDecoder('utf-8', { fatal: true })

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
