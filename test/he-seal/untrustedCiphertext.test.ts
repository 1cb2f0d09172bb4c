import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { deflateSync, inflateSync } from 'node:zlib'
import type { CkksRequestor, SealEvaluator } from '../../src/adapters/he-seal/index.ts'
import { createCkksEvaluator } from '../../src/adapters/he-seal/index.ts'
import { MsflError } from '../../src/core/errors/msflError.ts'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'
import { randomVector, relativeError, requestor8192, wasmHeapBytes } from './sealTestHelpers.ts'

/** Loads untrusted bytes: must either succeed or throw MsflError, within a second. */
function attempt(he: SealEvaluator, bytes: Uint8Array, what: string): 'loaded' | MsflError {
  const started = performance.now()
  try {
    he.release(he.load(bytes))
    return 'loaded'
  } catch (error) {
    assert.ok(error instanceof MsflError, `${what}: ${String(error)}`)
    return error
  } finally {
    assert.ok(performance.now() - started < 1000, `${what}: took ${performance.now() - started} ms`)
  }
}
const refused = (he: SealEvaluator, bytes: Uint8Array, what: string, message?: RegExp) => {
  const outcome = attempt(he, bytes, what)
  assert.notEqual(outcome, 'loaded', `${what} was accepted`)
  if (message) assert.match((outcome as MsflError).message, message, what)
}
const withSize = (bytes: Uint8Array, size: bigint) => {
  const out = bytes.slice()
  new DataView(out.buffer).setBigUint64(8, size, true)
  return out
}

describe('loading untrusted ciphertexts (ckks-8192)', () => {
  let requestor: CkksRequestor
  let he: SealEvaluator
  let fresh: Uint8Array // zlib-compressed: the fresh level has 40-bit primes
  let compact: Uint8Array // uncompressed: the last level has one 60-bit prime
  const values = randomVector(4096, 9)

  before(async () => {
    requestor = await requestor8192()
    he = await createCkksEvaluator(requestor.publicMaterial)
    const ct = requestor.evaluator.encrypt(values)
    fresh = requestor.evaluator.save(ct)
    compact = requestor.evaluator.save(ct, { compact: true })
    assert.equal(fresh[5], 1)
    assert.equal(compact[5], 0)
  })
  after(() => {
    he.dispose()
    requestor.dispose()
  })

  it('accepts what a peer saved, compressed or not, with its values intact', () => {
    for (const bytes of [fresh, compact]) {
      const ct = he.load(bytes)
      assert.ok(
        relativeError(requestor.decryptor.decrypt(requestor.evaluator.load(he.save(ct))), values) <
          1e-6,
      )
    }
  })

  it("accepts the requestor's seeded encryption (half the bytes) and refuses it broken", () => {
    const seeded = requestor.decryptor.encryptSeeded(values)
    assert.ok(seeded.length < 0.6 * fresh.length, `${seeded.length} vs ${fresh.length} bytes`)
    const ct = he.load(seeded)
    const back = requestor.decryptor.decrypt(requestor.evaluator.load(he.save(he.add(ct, ct))))
    assert.ok(
      relativeError(
        back,
        values.map((v) => 2 * v),
      ) < 1e-6,
    )
    he.release(ct)
    const raw = new Uint8Array(inflateSync(seeded.subarray(16)))
    const body = (edit: (b: Uint8Array) => void) => {
      const b = raw.slice()
      edit(b)
      const out = new Uint8Array(16 + b.length)
      out.set(seeded.subarray(0, 16))
      out[5] = 0
      out.set(b, 16)
      return withSize(out, BigInt(out.length))
    }
    // The seed object is the last 16 + 1 + 64 bytes: its header, PRNG type, seed.
    const seedAt = raw.length - 81
    refused(
      he,
      body((b) => (b[seedAt] = 0)),
      'seed header magic',
      /seed/,
    )
    refused(
      he,
      body((b) => (b[seedAt + 16] = 0xee)),
      'unknown PRNG type',
    )
    refused(he, body(() => {}).subarray(0, 16 + raw.length - 40), 'truncated seed')
    // A different seed is a different ciphertext, not a refusal: it loads and decrypts to noise.
    const other = body((b) => (b[raw.length - 1]! ^= 1))
    const garbled = requestor.decryptor.decrypt(requestor.evaluator.load(he.save(he.load(other))))
    assert.ok(relativeError(garbled, values) > 1)
  })

  it('refuses every single-byte corruption of the header', () => {
    for (const original of [fresh, compact])
      for (let at = 0; at < 16; at++)
        for (const flip of [0x01, 0x02, 0x10, 0x80, 0xff]) {
          const bytes = original.slice()
          bytes[at]! ^= flip
          refused(he, bytes, `header byte ${at} ^ ${flip}`)
        }
  })

  it('refuses truncated input, appended garbage and oversized declared sizes', () => {
    for (const original of [fresh, compact]) {
      for (const length of [
        0,
        1,
        15,
        16,
        17,
        48,
        80,
        112,
        113,
        1000,
        original.length - 8,
        original.length - 1,
      ])
        refused(he, original.subarray(0, length), `truncated to ${length}`)
      for (const length of [16, 113, 5000, original.length - 1])
        refused(
          he,
          withSize(original.subarray(0, length), BigInt(length)),
          `truncated to ${length} with a matching size`,
        )
      const longer = new Uint8Array(original.length + 7)
      longer.set(original)
      refused(he, longer, 'appended garbage', /trailing/)
      refused(
        he,
        withSize(longer, BigInt(longer.length)),
        'appended garbage with a matching size',
        /trailing|does not match/,
      )
      for (const size of [2n ** 64n - 1n, 2n ** 63n, 2n ** 32n, BigInt(original.length + 1)])
        refused(he, withSize(original, size), `declared size ${size}`, /declared size/)
    }
    // Larger than any ciphertext of these parameters, even if self-consistent.
    const huge = new Uint8Array(400_000)
    huge.set(compact.subarray(0, 16))
    refused(he, withSize(huge, 400_000n), 'oversized object', /exceeds the bound/)
  })

  const zlibObject = (header: Uint8Array, body: Uint8Array) => {
    const out = new Uint8Array(16 + body.length)
    out.set(header.subarray(0, 16))
    out.set(body, 16)
    out[5] = 1
    return withSize(out, BigInt(out.length))
  }

  it('refuses decompression bombs and zstd before any decompression', () => {
    // 64 MiB of zeros deflate to 64 KiB: a valid zlib stream far past the 393 KB bound,
    // stopped at 64/40 of its compressed size (40-bit primes: 40 bits of entropy per word).
    const bomb = zlibObject(fresh, deflateSync(new Uint8Array(64 * 2 ** 20)))
    refused(he, bomb, 'zlib bomb', /inflate beyond \d+: a compression ratio impossible/)
    // Within the parameters' bound, but far more compressible than any ciphertext.
    const zeros = zlibObject(fresh, deflateSync(new Uint8Array(fresh.length)))
    refused(he, zeros, 'compressible body', /compression ratio impossible/)
    const zstd = compact.slice()
    zstd[5] = 2
    refused(he, zstd, 'zstd payload', /zstd/)
    // A valid stream followed by more bytes inside the declared size.
    const padded = new Uint8Array(fresh.length + 5)
    padded.set(fresh)
    refused(he, withSize(padded, BigInt(padded.length)), 'bytes after the zlib stream', /trailing/)
  })

  it('accepts a valid zlib stream larger than the raw ciphertext (stored blocks)', () => {
    const raw = inflateSync(fresh.subarray(16))
    const stored = deflateSync(raw, { level: 0 })
    assert.ok(stored.length > raw.length, 'stored blocks add bytes')
    const ct = he.load(zlibObject(fresh, stored))
    assert.ok(
      relativeError(requestor.decryptor.decrypt(requestor.evaluator.load(he.save(ct))), values) <
        1e-6,
    )
    he.release(ct)
  })

  it('refuses bodies that do not match the parameters field by field', () => {
    const at = (offset: number, write: (v: DataView) => void, what: string, message: RegExp) => {
      const bytes = compact.slice()
      write(new DataView(bytes.buffer, offset))
      refused(he, bytes, what, message)
    }
    at(16, (v) => v.setUint8(0, v.getUint8(0) ^ 1), 'parms_id', /parms_id/)
    at(48, (v) => v.setUint8(0, 0), 'NTT flag', /NTT/)
    at(49, (v) => v.setBigUint64(0, 3n, true), 'three polynomials', /2 polynomials/)
    at(49, (v) => v.setBigUint64(0, 2n ** 60n, true), 'huge size', /exceeds/)
    at(57, (v) => v.setBigUint64(0, 4096n, true), 'poly degree', /degree/)
    at(65, (v) => v.setBigUint64(0, 2n, true), 'coeff modulus size', /modulus size/)
    at(73, (v) => v.setFloat64(0, 2 ** 41, true), 'scale', /scale/)
    at(73, (v) => v.setFloat64(0, Number.NaN, true), 'NaN scale', /scale/)
    at(81, (v) => v.setBigUint64(0, 5n, true), 'correction factor', /correction/)
    at(105, (v) => v.setBigUint64(0, 2n ** 40n, true), 'data count', /exceeds/)
    // Half the count is the seeded form: its array size no longer matches what follows.
    at(105, (v) => v.setBigUint64(0, 8192n, true), 'seeded data count', /data array size/)
    at(120, (v) => v.setBigUint64(0, 2n ** 64n - 1n, true), 'unreduced coefficient', /reduced/)
  })

  it('survives 2000 random mutations: MsflError or a valid ciphertext, no crash, no heap growth', (t) => {
    const rng = createSeededRng(2024)
    const mutate = (source: Uint8Array): Uint8Array => {
      switch (rng.nextInt(6)) {
        case 0: {
          const out = source.slice()
          for (let k = 1 + rng.nextInt(4); k > 0; k--)
            out[rng.nextInt(Math.min(out.length, 160))] = rng.nextInt(256)
          return out
        }
        case 1: {
          const out = source.slice()
          out[rng.nextInt(out.length)] = rng.nextInt(256)
          return out
        }
        case 2:
          return source.subarray(0, rng.nextInt(source.length))
        case 3:
          return Uint8Array.from({ length: rng.nextInt(2048) }, () => rng.nextInt(256))
        case 4: {
          const out = Uint8Array.from({ length: 16 + rng.nextInt(4096) }, () => rng.nextInt(256))
          out.set(source.subarray(0, 16))
          return withSize(out, BigInt(out.length))
        }
        default: {
          const out = new Uint8Array(source.length + 1 + rng.nextInt(64))
          out.set(source)
          return rng.next() < 0.5 ? out : withSize(out, BigInt(out.length))
        }
      }
    }
    const run = (iterations: number) => {
      let loaded = 0
      for (let i = 0; i < iterations; i++)
        if (attempt(he, mutate(i % 2 ? fresh : compact), `mutation ${i}`) === 'loaded') loaded++
      return loaded
    }
    run(100)
    const heapBefore = wasmHeapBytes()
    const live = he.liveCiphertexts
    const loaded = run(2000)
    const growth = wasmHeapBytes() - heapBefore
    t.diagnostic(`${loaded} of 2000 mutations loaded; WebAssembly heap grew by ${growth} bytes`)
    assert.equal(he.liveCiphertexts, live)
    assert.ok(loaded > 0, 'some mutations (coefficient changes) still make valid ciphertexts')
    assert.ok(growth <= 4 * 2 ** 20, `heap grew by ${growth} bytes`)
  })
})
