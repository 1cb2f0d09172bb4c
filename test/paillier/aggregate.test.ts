import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import {
  createPaillierPublic,
  createPaillierSecret,
  generatePaillierKeyPair,
  loadModularBackend,
  type ModularBackend,
  openPaillierPublicKey,
  type PaillierKeyPair,
} from '../../src/adapters/paillier/index.ts'
import { packedSumErrorBound } from '../../src/core/paillier/packingLayout.ts'
import { packValues } from '../../src/core/paillier/packValues.ts'
import { encodePaillierPublicKey } from '../../src/core/paillier/publicKeyFormat.ts'
import { sumPaillierUpdates } from '../../src/core/paillier/sumPaillierUpdates.ts'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'
import { rawCiphertexts, referencePrivateKey } from './paillierTestHelpers.ts'

const packing = { valueBits: 16, maxClients: 16, range: 1 }

describe('Paillier aggregation of packed updates (2048-bit key)', () => {
  let keys: PaillierKeyPair
  let gmp: ModularBackend
  let bigint: ModularBackend
  before(async () => {
    keys = await generatePaillierKeyPair()
    gmp = await loadModularBackend('gmp-wasm')
    bigint = await loadModularBackend('bigint')
  })

  it('generates a 2048-bit key by default and hands it out as bytes', () => {
    assert.equal(keys.publicKey.modulusBits, 2048)
    assert.equal(keys.secretKey.p * keys.secretKey.q, keys.publicKey.n)
    const opened = openPaillierPublicKey(encodePaillierPublicKey(keys.publicKey.n))
    assert.equal(opened.n, keys.publicKey.n)
    assert.deepEqual(opened.fingerprint, keys.publicKey.fingerprint)
  })

  it('the sum of 10 clients decrypts to the plaintext sum within count·Δ/2', () => {
    const rng = createSeededRng(5)
    const length = 300 // 4 ciphertexts per client: a few seconds in all
    const updates = Array.from({ length: 10 }, () =>
      Float64Array.from({ length }, () => Math.max(-1, Math.min(1, 0.3 * rng.normal()))),
    )
    // Owners and the provider hold the public key only, from bytes.
    const publicKey = openPaillierPublicKey(encodePaillierPublicKey(keys.publicKey.n))
    const owner = createPaillierPublic(publicKey, packing, gmp)
    const provider = createPaillierPublic(publicKey, packing, gmp)
    const sent = new Map(updates.map((u, i) => [`do-${i}`, owner.save(owner.encryptPacked(u))]))
    // 4 ciphertexts of 512 bytes and a 46-byte header: 7.0 bytes per value.
    assert.equal(sent.get('do-0')!.length, 46 + 4 * 512)
    const { sum, summed, rejected } = sumPaillierUpdates(provider, sent, length)
    assert.equal(summed.length, 10)
    assert.deepEqual(rejected, [])

    const keyHolder = createPaillierPublic(keys.publicKey, packing, gmp)
    const { values, count } = createPaillierSecret(keys, gmp).decryptPacked(keyHolder.load(sum!))
    assert.equal(count, 10)
    const bound = packedSumErrorBound(keyHolder.layout, 10)
    let worst = 0
    for (let j = 0; j < length; j++) {
      const exact = updates.reduce((s, u) => s + u[j]!, 0)
      worst = Math.max(worst, Math.abs(values[j]! - exact))
    }
    assert.ok(worst <= bound, `worst error ${worst} > bound ${bound}`)
    assert.ok(worst > 0, 'quantisation should leave some error')
  })

  it('agrees with an independent implementation (paillier-bigint) and across backends', () => {
    const values = Float64Array.from({ length: 120 }, (_, i) => Math.sin(i) * 0.9)
    const viaBigint = createPaillierPublic(keys.publicKey, packing, bigint)
    const bytes = viaBigint.save(viaBigint.encryptPacked(values))
    // Textbook decryption by paillier-bigint gives exactly the packed plaintexts.
    const reference = referencePrivateKey(keys)
    const layout = viaBigint.layout
    assert.deepEqual(
      rawCiphertexts(bytes, 512).map((c) => reference.decrypt(c)),
      packValues(layout, values),
    )
    // And paillier-bigint's encryptions of those plaintexts decrypt here (gmp-wasm, CRT).
    const foreign = packValues(layout, values).map((m) => reference.publicKey.encrypt(m))
    const bytes2 = bytes.slice()
    foreign.forEach((c, i) => {
      bytes2.set(Buffer.from(c.toString(16).padStart(1024, '0'), 'hex'), 46 + i * 512)
    })
    const gmpSide = createPaillierPublic(keys.publicKey, packing, gmp)
    const secret = createPaillierSecret(keys, gmp)
    for (const b of [bytes, bytes2]) {
      const decoded = secret.decryptPacked(gmpSide.load(b, values.length)).values
      for (let j = 0; j < values.length; j++)
        assert.ok(Math.abs(decoded[j]! - values[j]!) <= packedSumErrorBound(layout, 1))
    }
    // The BigInt backend decrypts what gmp-wasm encrypted.
    const fromGmp = gmpSide.save(gmpSide.encryptPacked(values))
    const back = createPaillierSecret(keys, bigint).decryptPacked(viaBigint.load(fromGmp)).values
    assert.ok(back.every((v, j) => Math.abs(v - values[j]!) <= packedSumErrorBound(layout, 1)))
  })

  it('modular backends agree on modPow, modPowSecret and gcd', () => {
    const { n } = keys.publicKey
    const { p } = keys.secretKey
    const base = n - 12345678901234567890n
    assert.equal(gmp.modPow(base, n, n * n), bigint.modPow(base, n, n * n))
    assert.equal(gmp.modPowSecret(base, p - 1n, p * p), bigint.modPowSecret(base, p - 1n, p * p))
    assert.equal(gmp.gcd(p * 15n, n), p)
    assert.equal(bigint.gcd(p * 15n, n), p)
    assert.equal(gmp.modPow(7n, 0n, 13n), 1n)
    assert.equal(bigint.modPow(7n, 560n, 561n), 1n) // a Carmichael number
  })
})
