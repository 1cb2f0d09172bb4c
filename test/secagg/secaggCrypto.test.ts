import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MsflError } from '../../src/core/errors/msflError.ts'
import { crypto } from './secaggFixtures.ts'

const isProtocolError = (pattern: RegExp) => (e: unknown) =>
  e instanceof MsflError && e.code === 'PROTOCOL' && pattern.test(e.message)

describe('node:crypto secure-aggregation primitives', () => {
  it('X25519 + HKDF: both sides derive the same 32-byte key; other info or peers give other keys', () => {
    const a = crypto.generateKeyPair()
    const b = crypto.generateKeyPair()
    const c = crypto.generateKeyPair()
    assert.equal(a.publicKey.length, 32)
    assert.equal(a.secretKey.length, 32)
    const ab = crypto.agree(a.secretKey, b.publicKey, 'mask')
    assert.equal(ab.length, 32)
    assert.deepEqual(crypto.agree(b.secretKey, a.publicKey, 'mask'), ab)
    assert.notDeepEqual(crypto.agree(a.secretKey, b.publicKey, 'share'), ab)
    assert.notDeepEqual(crypto.agree(a.secretKey, c.publicKey, 'mask'), ab)
    // A secret key given as a fresh copy of the bytes (as after Shamir reconstruction).
    assert.deepEqual(crypto.agree(a.secretKey.slice(), b.publicKey, 'mask'), ab)
    assert.deepEqual(crypto.publicKeyOf(a.secretKey.slice()), a.publicKey)
  })

  it('refuses a low-order peer key and keys of the wrong size', () => {
    const a = crypto.generateKeyPair()
    assert.throws(
      () => crypto.agree(a.secretKey, new Uint8Array(32), 'x'),
      isProtocolError(/low-order/),
    )
    assert.throws(
      () => crypto.agree(a.secretKey, new Uint8Array(31), 'x'),
      isProtocolError(/public key must be 32 bytes/),
    )
    assert.throws(
      () => crypto.agree(new Uint8Array(16), a.publicKey, 'x'),
      isProtocolError(/secret key must be 32 bytes/),
    )
  })

  it('the mask PRG is deterministic per seed, differs across seeds and looks uniform', () => {
    const seed = crypto.randomBytes(32)
    const m = crypto.expandMask(seed, 100_000)
    assert.equal(m.length, 100_000)
    assert.deepEqual(crypto.expandMask(seed.slice(), 100_000), m)
    assert.deepEqual(crypto.expandMask(seed, 10), m.subarray(0, 10))
    assert.notDeepEqual(crypto.expandMask(crypto.randomBytes(32), 10), m.subarray(0, 10))
    let mean = 0
    for (const v of m) mean += v / 2 ** 32 / m.length
    // Uniform on [0, 1): sd of the mean is 1/sqrt(12·10^5) ≈ 0.0009.
    assert.ok(Math.abs(mean - 0.5) < 0.005, `mean ${mean}`)
  })

  it('authenticated encryption: round-trips, and any altered byte, tag, nonce, key or associated data is refused', () => {
    const key = crypto.randomBytes(32)
    const ad = new TextEncoder().encode('["round-1","do-1","do-2"]')
    const plaintext = crypto.randomBytes(66)
    const sealed = crypto.seal(key, plaintext, ad)
    assert.equal(sealed.length, 12 + 66 + 16)
    assert.deepEqual(crypto.open(key, sealed, ad), plaintext)
    assert.notDeepEqual(crypto.seal(key, plaintext, ad), sealed, 'fresh nonce per message')
    for (const position of [0, 11, 12, 40, 77, 78, 93]) {
      const altered = sealed.slice()
      altered[position]! ^= 0x01
      assert.throws(
        () => crypto.open(key, altered, ad),
        isProtocolError(/failed authentication/),
        `byte ${position}`,
      )
    }
    const otherAd = new TextEncoder().encode('["round-1","do-1","do-3"]')
    assert.throws(() => crypto.open(key, sealed, otherAd), isProtocolError(/failed authentication/))
    assert.throws(
      () => crypto.open(crypto.randomBytes(32), sealed, ad),
      isProtocolError(/failed authentication/),
    )
    assert.throws(() => crypto.open(key, sealed.subarray(0, 20), ad), isProtocolError(/too short/))
  })
})
