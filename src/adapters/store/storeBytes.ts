import { createHash } from 'node:crypto'
import { MsflError } from '../../core/errors/msflError.ts'

/** Hex SHA-256 of bytes. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/** Both drivers bind Buffers as BLOB / BYTEA (better-sqlite3 refuses a plain Uint8Array). */
export function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

/** Copies stored bytes out as a plain Uint8Array, after checking them against their hash. */
export function readStoredBytes(stored: Uint8Array, sha256: string, what: string): Uint8Array {
  const bytes = new Uint8Array(stored)
  if (sha256Hex(bytes) !== sha256)
    throw new MsflError('STORE', `${what}: stored bytes do not match their SHA-256 ${sha256}`)
  return bytes
}
