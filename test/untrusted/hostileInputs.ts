import { MAGIC, Tag, VERSION } from '../../src/core/wire/wireFormat.ts'

/**
 * Wire messages of about `size` bytes built byte by byte (no JavaScript structure of
 * their decoded size is ever made), one per class of hostile input: the cheapest bytes
 * per decoded element, and the largest single fields.
 */
export const HOSTILE_MESSAGES = [
  'nulls',
  'empty-objects',
  'short-strings',
  'numbers',
  'empty-vectors',
  'small-arrays',
  'object-keys',
  'bigint',
  'bytes',
  'declared-huge',
] as const
export type HostileMessage = (typeof HOSTILE_MESSAGES)[number]

/** One element of each repeated class, as its bytes. */
const ELEMENT: Partial<Record<HostileMessage, readonly number[]>> = {
  nulls: [Tag.Null],
  'empty-objects': [Tag.Object, 0, 0, 0, 0],
  'short-strings': [Tag.String, 2, 0, 0, 0, 0x61, 0x62],
  numbers: [Tag.Float64, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f],
  'empty-vectors': [Tag.Float64Array, 0, 0, 0, 0],
  'small-arrays': [Tag.Array, 1, 0, 0, 0, Tag.Null],
}

export function hostileMessage(kind: HostileMessage, size: number): Uint8Array {
  const element = ELEMENT[kind]
  if (element) {
    const count = Math.floor(size / element.length)
    const out = new Uint8Array(10 + count * element.length)
    writeHead(out, Tag.Array, count)
    for (let i = 0, at = 10; i < count; i++, at += element.length) out.set(element, at)
    return out
  }
  switch (kind) {
    case 'object-keys': {
      // Distinct 8-hex-digit keys with null values: 13 bytes an entry.
      const count = Math.floor(size / 13)
      const out = new Uint8Array(10 + count * 13)
      writeHead(out, Tag.Object, count)
      for (let i = 0, at = 10; i < count; i++, at += 13) {
        out[at] = 8
        const hex = i.toString(16).padStart(8, '0')
        for (let c = 0; c < 8; c++) out[at + 4 + c] = hex.charCodeAt(c)
        out[at + 12] = Tag.Null
      }
      return out
    }
    case 'bigint': {
      const out = new Uint8Array(11 + size)
      out.set([...MAGIC, VERSION, Tag.BigInt, 0])
      new DataView(out.buffer).setUint32(7, size, true)
      for (let i = 0; i < size; i++) out[11 + i] = (Math.imul(i + 1, 2654435761) >>> 24) | 1
      return out
    }
    case 'bytes': {
      const out = new Uint8Array(10 + size)
      writeHead(out, Tag.Uint8Array, size)
      return out
    }
    default: {
      // An array that claims four billion elements, followed by `size` nulls.
      const out = new Uint8Array(10 + size)
      writeHead(out, Tag.Array, 0xffffffff)
      return out
    }
  }
}

function writeHead(out: Uint8Array, tag: number, count: number): void {
  out.set([...MAGIC, VERSION, tag])
  new DataView(out.buffer).setUint32(6, count, true)
}
