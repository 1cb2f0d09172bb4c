import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MsflError } from '../../src/core/errors/msflError.ts'
import {
  decodePackedCiphertexts,
  encodePackedCiphertexts,
  PACKED_HEADER_BYTES,
} from '../../src/core/paillier/packedCiphertextFormat.ts'
import { createPackingLayout } from '../../src/core/paillier/packingLayout.ts'
import {
  decodePaillierPublicKey,
  encodePaillierPublicKey,
} from '../../src/core/paillier/publicKeyFormat.ts'

const codec = (fn: () => unknown, pattern: RegExp) =>
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof MsflError, `not an MsflError: ${e}`)
    assert.equal(e.code, 'CODEC')
    assert.match(e.message, pattern)
    return true
  })

describe('packed ciphertext format', () => {
  // The format only needs n² for its range check: a stand-in modulus keeps this pure.
  const n = (1n << 1023n) + 12345n
  const n2 = n * n
  const layout = createPackingLayout(1024, { valueBits: 12, maxClients: 8, range: 2 })
  const fingerprint = Uint8Array.from({ length: 16 }, (_, i) => i * 7)
  const ciphertextBytes = 256
  const expect = { fingerprint, layout, modulusSquared: n2, ciphertextBytes }
  const length = layout.slots + 1 // two ciphertexts
  const ciphertexts = [n2 - 1n, 1234567n]
  const header = {
    fingerprint,
    valueBits: 12,
    maxClients: 8,
    slots: layout.slots,
    range: 2,
    length,
    count: 3,
    ciphertextBytes,
  }
  const bytes = encodePackedCiphertexts(header, ciphertexts)
  const patched = (write: (view: DataView) => void) => {
    const copy = bytes.slice()
    write(new DataView(copy.buffer))
    return copy
  }

  it('round-trips header and ciphertexts', () => {
    assert.equal(bytes.length, PACKED_HEADER_BYTES + 2 * ciphertextBytes)
    const decoded = decodePackedCiphertexts(bytes, { ...expect, length })
    assert.deepEqual(decoded.ciphertexts, ciphertexts)
    assert.deepEqual(
      { ...decoded.header, fingerprint: [...decoded.header.fingerprint] },
      {
        ...header,
        fingerprint: [...fingerprint],
      },
    )
  })

  it('names the problem with every malformed or mismatched field', () => {
    codec(
      () => decodePackedCiphertexts(bytes.subarray(0, 20), expect),
      /shorter than the 46-byte header/,
    )
    codec(
      () =>
        decodePackedCiphertexts(
          patched((v) => v.setUint8(0, 0x58)),
          expect,
        ),
      /bad magic/,
    )
    codec(
      () =>
        decodePackedCiphertexts(
          patched((v) => v.setUint8(4, 2)),
          expect,
        ),
      /unsupported version 2/,
    )
    codec(
      () =>
        decodePackedCiphertexts(
          patched((v) => v.setUint8(31, 99)),
          expect,
        ),
      /encrypted under another key \(fingerprint 00630e151c23…, this key is 00070e151c23…\)/,
    )
    codec(
      () =>
        decodePackedCiphertexts(
          patched((v) => v.setUint8(5, 16)),
          expect,
        ),
      /valueBits 16, the agreed layout has 12/,
    )
    codec(
      () =>
        decodePackedCiphertexts(
          patched((v) => v.setUint32(6, 9)),
          expect,
        ),
      /maxClients 9/,
    )
    codec(
      () =>
        decodePackedCiphertexts(
          patched((v) => v.setUint16(10, 5)),
          expect,
        ),
      /slots 5/,
    )
    codec(
      () =>
        decodePackedCiphertexts(
          patched((v) => v.setFloat64(12, 2.5)),
          expect,
        ),
      /range 2.5/,
    )
    codec(
      () =>
        decodePackedCiphertexts(
          patched((v) => v.setUint32(24, 0)),
          expect,
        ),
      /count 0 updates is outside 1..8/,
    )
    codec(
      () =>
        decodePackedCiphertexts(
          patched((v) => v.setUint32(24, 9)),
          expect,
        ),
      /count 9 updates/,
    )
    codec(
      () =>
        decodePackedCiphertexts(
          patched((v) => v.setUint32(20, 0)),
          expect,
        ),
      /length 0/,
    )
    codec(
      () => decodePackedCiphertexts(bytes, { ...expect, length: 5 }),
      /holds \d+ values, expected 5/,
    )
    codec(
      () =>
        decodePackedCiphertexts(
          patched((v) => v.setUint32(20, 1)),
          expect,
        ),
      /body is 512 bytes, 1 values need 1 ciphertexts/,
    )
    codec(
      () =>
        decodePackedCiphertexts(
          patched((v) => v.setUint16(28, 255)),
          expect,
        ),
      /255-byte ciphertexts, this key's are 256/,
    )
    const extra = new Uint8Array(bytes.length + 1)
    extra.set(bytes)
    codec(() => decodePackedCiphertexts(extra, expect), /body is 513 bytes/)
    const zero = bytes.slice()
    zero.fill(0, PACKED_HEADER_BYTES + ciphertextBytes)
    codec(() => decodePackedCiphertexts(zero, expect), /ciphertext 1 is not in \[1, n²\)/)
    const high = bytes.slice()
    high.fill(0xff, PACKED_HEADER_BYTES, PACKED_HEADER_BYTES + ciphertextBytes)
    codec(() => decodePackedCiphertexts(high, expect), /ciphertext 0 is not in \[1, n²\)/)
  })
})

describe('public key format', () => {
  it('round-trips n and refuses malformed keys', () => {
    const n = (1n << 2047n) + 987654321n
    const bytes = encodePaillierPublicKey(n)
    assert.equal(bytes.length, 7 + 256)
    assert.equal(decodePaillierPublicKey(bytes), n)
    codec(() => decodePaillierPublicKey(bytes.subarray(0, 5)), /too short/)
    codec(() => decodePaillierPublicKey(Uint8Array.from([1, ...bytes.subarray(1)])), /bad magic/)
    codec(
      () => decodePaillierPublicKey(bytes.subarray(0, 100)),
      /declares a 256-byte modulus but carries 93/,
    )
    codec(() => decodePaillierPublicKey(encodePaillierPublicKey(n + 1n)), /even/)
    const padded = bytes.slice()
    padded[7] = 0
    codec(() => decodePaillierPublicKey(padded), /leading zero/)
  })
})
