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
 * output limit derived from the parameters and from the entropy of pseudo-random
 * coefficients (a stream that compresses key material better than that is refused
 * before it is fully inflated), trailing bytes after the stream are refused, and SEAL
 * only ever sees the uncompressed object. zstd is refused on input:
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
 * How far an untrusted SEAL object may inflate. Keys and ciphertexts are pseudo-random
 * modulo their primes: every 8-byte coefficient word carries at least log2(q) bits of
 * entropy for the smallest prime q, and no compressor stores it in fewer. So a zlib body
 * of c bytes can honestly hold at most c · 64 / log2(q) bytes of coefficients, plus the
 * compressible rest (headers, metadata, seeds, a key set's empty rows), bounded by
 * `allowance`. A stream that inflates further is not key material, whatever it decodes to.
 */
export interface InflationBound {
  /** Largest total size of the uncompressed object, header included (from the parameters). */
  readonly maxBytes: number
  /** log2 of the smallest coefficient-modulus prime: the fewest bits of entropy per word. */
  readonly minWordBits: number
  /** Bytes of compressible structure the object may hold besides its coefficients. */
  readonly allowance: number
}

/** The inflation bound for objects of these primes and ring dimension, at most `maxBytes`. */
export function pseudoRandomInflation(
  primes: readonly bigint[],
  polyModulusDegree: number,
  maxBytes: number,
): InflationBound {
  const minWordBits = Math.min(...primes.map((q) => Math.log2(Number(q))))
  // A key-switching key set stores one 8-byte count per row (up to N rows, mostly empty);
  // 64 KiB more covers every header, parms_id, metadata field and seed.
  return { maxBytes, minWordBits, allowance: 8 * polyModulusDegree + 64 * 1024 }
}

/**
 * The uncompressed form of a SEAL object whose header was validated: the bytes
 * themselves when uncompressed, else the inflated body behind a rewritten header.
 * zlib stops as soon as its output passes the smaller of the parameters' bound and the
 * pseudo-random bound, so a bomb costs at most that much memory and time.
 */
export function inflateSealObject(
  bytes: Uint8Array,
  header: SealHeader,
  bound: InflationBound,
  what: string,
): Uint8Array {
  if (header.comprMode === ComprMode.none) return bytes
  if (header.comprMode !== ComprMode.zlib)
    throw new MsflError('CODEC', `${what}: compression mode ${header.comprMode} is refused`)
  const compressed = bytes.subarray(SEAL_HEADER_BYTES)
  const parameterLimit = bound.maxBytes - SEAL_HEADER_BYTES
  const randomLimit = Math.floor((compressed.length * 64) / bound.minWordBits) + bound.allowance
  const limit = Math.max(1, Math.min(parameterLimit, randomLimit))
  let inflated: { buffer: Uint8Array; engine: { bytesWritten: number } }
  try {
    inflated = inflateSync(compressed, { maxOutputLength: limit, info: true }) as never
  } catch (cause) {
    const tooLarge = (cause as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE'
    throw new MsflError(
      'CODEC',
      !tooLarge
        ? `${what}: corrupt zlib payload`
        : limit < parameterLimit
          ? `${what}: ${compressed.length} zlib bytes inflate beyond ${limit}: a compression ratio impossible for pseudo-random key material (at least ${bound.minWordBits.toFixed(1)} bits of entropy per 64-bit word)`
          : `${what}: zlib payload inflates beyond the bound of ${bound.maxBytes} bytes for these parameters`,
      { cause },
    )
  }
  if (inflated.engine.bytesWritten !== compressed.length)
    throw new MsflError('CODEC', `${what}: trailing bytes after the zlib stream`)
  const size = SEAL_HEADER_BYTES + inflated.buffer.length
  const out = new Uint8Array(size)
  out.set(bytes.subarray(0, SEAL_HEADER_BYTES))
  out.set(inflated.buffer, SEAL_HEADER_BYTES)
  out[5] = ComprMode.none
  new DataView(out.buffer).setBigUint64(8, BigInt(size), true)
  return out
}
