import { deflateSync, inflateSync } from 'node:zlib'
import { MsflError } from '../../core/errors/msflError.ts'
import { ComprMode, SEAL_HEADER_BYTES, type SealHeader } from './validateSealHeader.ts'

/**
 * Compression of SEAL objects, done here rather than inside SEAL.
 *
 * Saving: SEAL writes the object uncompressed and Node's zlib (level 1) deflates the
 * body; the result is a standard SEAL object with compr_mode = zlib that any SEAL can
 * load. Measured: SEAL's own zlib inside WebAssembly takes 6.8 s on the 72 MB of Galois
 * keys of `ckks-16384`, Node's level 1 takes 1.4 s for the same ratio (0.83).
 *
 * Loading: untrusted objects are never decompressed by SEAL 4.1.2, which inflates into
 * a buffer that grows with whatever the stream produces (a small payload can expand
 * to gigabytes of WebAssembly heap, which never shrinks). Node inflates with a hard
 * output limit derived from the parameters, trailing bytes after the stream are
 * refused, and SEAL only ever sees the uncompressed object. zstd is refused on input:
 * Node 20 has no zstd decoder, so its output could not be bounded the same way.
 */

/** Compresses the body of an uncompressed SEAL object with zlib when that makes it smaller. */
export function compressSealObject(bytes: Uint8Array): Uint8Array {
  const body = deflateSync(bytes.subarray(SEAL_HEADER_BYTES), { level: 1 })
  const size = SEAL_HEADER_BYTES + body.length
  if (size >= bytes.length) return bytes
  const out = new Uint8Array(size)
  out.set(bytes.subarray(0, SEAL_HEADER_BYTES))
  out.set(body, SEAL_HEADER_BYTES)
  out[5] = ComprMode.zlib
  new DataView(out.buffer).setBigUint64(8, BigInt(size), true)
  return out
}

/**
 * The uncompressed form of a SEAL object whose header was validated: the bytes
 * themselves when uncompressed, else the inflated body (at most `maxBytes` in total)
 * behind a rewritten header.
 */
export function inflateSealObject(
  bytes: Uint8Array,
  header: SealHeader,
  maxBytes: number,
  what: string,
): Uint8Array {
  if (header.comprMode === ComprMode.none) return bytes
  if (header.comprMode !== ComprMode.zlib)
    throw new MsflError('CODEC', `${what}: compression mode ${header.comprMode} is refused`)
  const limit = maxBytes - SEAL_HEADER_BYTES
  const compressed = bytes.subarray(SEAL_HEADER_BYTES)
  let inflated: { buffer: Uint8Array; engine: { bytesWritten: number } }
  try {
    inflated = inflateSync(compressed, { maxOutputLength: Math.max(1, limit), info: true }) as never
  } catch (cause) {
    const tooLarge = (cause as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE'
    throw new MsflError(
      'CODEC',
      tooLarge
        ? `${what}: zlib payload inflates beyond the bound of ${maxBytes} bytes for these parameters`
        : `${what}: corrupt zlib payload`,
      { cause },
    )
  }
  if (inflated.engine.bytesWritten !== compressed.length)
    throw new MsflError('CODEC', `${what}: trailing bytes after the zlib stream`)
  const size = SEAL_HEADER_BYTES + inflated.buffer.length
  if (size > maxBytes)
    throw new MsflError('CODEC', `${what}: inflated size ${size} exceeds the bound of ${maxBytes}`)
  const out = new Uint8Array(size)
  out.set(bytes.subarray(0, SEAL_HEADER_BYTES))
  out.set(inflated.buffer, SEAL_HEADER_BYTES)
  out[5] = ComprMode.none
  new DataView(out.buffer).setBigUint64(8, BigInt(size), true)
  return out
}
