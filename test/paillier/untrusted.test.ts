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
  paillierPublicKey,
} from '../../src/adapters/paillier/index.ts'
import { MsflError } from '../../src/core/errors/msflError.ts'
import { encodePaillierPublicKey } from '../../src/core/paillier/publicKeyFormat.ts'
import { sumPaillierUpdates } from '../../src/core/paillier/sumPaillierUpdates.ts'
import type { PaillierPublic, PaillierSecret } from '../../src/core/ports/paillier.ts'
import { rawCiphertexts, referencePrivateKey, withCiphertexts } from './paillierTestHelpers.ts'

const rejects = (fn: () => unknown, code: string, pattern: RegExp) =>
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof MsflError, `not an MsflError: ${e}`)
    assert.equal(e.code, code)
    assert.match(e.message, pattern)
    return true
  })

const packing = { valueBits: 16, maxClients: 4, range: 1 }
const update = (length: number, shift = 0) =>
  Float64Array.from({ length }, (_, i) => Math.cos(i + shift) * 0.8)

describe('Paillier keys: size policy', () => {
  it('refuses a 1024-bit key without the explicit insecure flag', async () => {
    await assert.rejects(generatePaillierKeyPair({ bits: 1024 }), (e: unknown) => {
      assert.ok(e instanceof MsflError && e.code === 'CONFIG_INVALID')
      assert.match(e.message, /1024-bit modulus is below the 2048-bit minimum/)
      return true
    })
    const weak = await generatePaillierKeyPair({ bits: 1024, insecure: true })
    assert.equal(weak.publicKey.modulusBits, 1024)
    // A data owner handed a weak key refuses it just the same.
    const bytes = encodePaillierPublicKey(weak.publicKey.n)
    rejects(() => openPaillierPublicKey(bytes), 'CONFIG_INVALID', /below the 2048-bit minimum/)
    assert.equal(openPaillierPublicKey(bytes, { insecure: true }).n, weak.publicKey.n)
    await assert.rejects(
      generatePaillierKeyPair({ bits: 256, insecure: true }),
      /refused even with insecure/,
    )
    rejects(
      () => paillierPublicKey(2n ** 300n + 1n, { insecure: true }),
      'CONFIG_INVALID',
      /301-bit/,
    )
  })
})

describe('Paillier ciphertexts from untrusted parties (2048-bit keys)', () => {
  let keys: PaillierKeyPair
  let other: PaillierKeyPair
  let backend: ModularBackend
  let paillier: PaillierPublic
  let secret: PaillierSecret
  let foreign: PaillierPublic
  before(async () => {
    backend = await loadModularBackend()
    keys = await generatePaillierKeyPair()
    other = await generatePaillierKeyPair()
    paillier = createPaillierPublic(keys.publicKey, packing, backend)
    secret = createPaillierSecret(keys, backend)
    foreign = createPaillierPublic(other.publicKey, packing, backend)
  })

  it('rejects a ciphertext under another key, naming the reason', () => {
    const bytes = foreign.save(foreign.encryptPacked(update(50)))
    rejects(
      () => paillier.load(bytes),
      'CODEC',
      /encrypted under another key \(fingerprint [0-9a-f]{12}…, this key is [0-9a-f]{12}…\)/,
    )
    // A handle made under the other key is refused by every operation of this one.
    const handle = foreign.encryptPacked(update(50))
    const mine = paillier.encryptPacked(update(50))
    rejects(() => paillier.add(mine, handle), 'CODEC', /another key/)
    rejects(() => secret.decryptPacked(handle), 'CODEC', /another key/)
    // Relabelled with this key's fingerprint (and reduced below this n²), the body
    // passes every byte-level check but decrypts to garbage: detected.
    const n2 = keys.publicKey.n ** 2n
    const relabelled = withCiphertexts(
      bytes,
      rawCiphertexts(bytes, 512).map((c) => c % n2),
      512,
    )
    relabelled.set(keys.publicKey.fingerprint, 30)
    rejects(
      () => secret.decryptPacked(paillier.load(relabelled)),
      'PROTOCOL',
      /non-zero guard bits/,
    )
  })

  it('rejects or detects tampered header and body bytes', () => {
    const bytes = paillier.save(paillier.encryptPacked(update(250)))
    const tamper = (at: number, value: number) => {
      const copy = bytes.slice()
      copy[at] = value
      return copy
    }
    rejects(() => paillier.load(tamper(0, 0)), 'CODEC', /bad magic/)
    rejects(() => paillier.load(tamper(5, 17)), 'CODEC', /valueBits 17, the agreed layout has 16/)
    rejects(
      () => paillier.load(tamper(22, 1)),
      'CODEC',
      /body is 1536 bytes, 506 values need 5 ciphertexts/,
    )
    // 251 values still fit the 3 ciphertexts: the receiver's expected length catches it.
    rejects(() => paillier.load(tamper(23, 251), 250), 'CODEC', /holds 251 values, expected 250/)
    rejects(() => paillier.load(bytes, 300), 'CODEC', /holds 250 values, expected 300/)
    rejects(() => paillier.load(bytes.subarray(0, bytes.length - 1)), 'CODEC', /body is/)
    // The count is not authenticated, but the counter slot inside the plaintext is.
    const recounted = paillier.load(tamper(27, 2))
    assert.equal(paillier.describe(recounted).count, 2)
    rejects(
      () => secret.decryptPacked(recounted),
      'PROTOCOL',
      /counts 1 summed updates, the header says 2/,
    )
    // One flipped body bit: still a plausible ciphertext, but its plaintext is garbage.
    const flipped = bytes.slice()
    flipped[46 + 512 + 200]! ^= 0x10
    rejects(
      () => secret.decryptPacked(paillier.load(flipped)),
      'PROTOCOL',
      /plaintext 1 has non-zero guard bits/,
    )
    // Ciphertexts outside Z*_{n²}.
    const n = keys.publicKey.n
    const cts = rawCiphertexts(bytes, 512)
    rejects(
      () => paillier.load(withCiphertexts(bytes, [0n, ...cts.slice(1)], 512)),
      'CODEC',
      /ciphertext 0 is not in \[1, n²\)/,
    )
    rejects(
      () => paillier.load(withCiphertexts(bytes, [n * 3n, ...cts.slice(1)], 512)),
      'CODEC',
      /ciphertext 0 shares a factor with n/,
    )
    rejects(
      () => paillier.load(withCiphertexts(bytes, [cts[0]!, n * n], 512)),
      'CODEC',
      /ciphertext 1 is not in \[1, n²\)/,
    )
  })

  it('refuses more clients than the packing has headroom for, before adding', () => {
    const five = new Map(
      Array.from({ length: 5 }, (_, i) => [
        `do-${i}`,
        paillier.save(paillier.encryptPacked(update(10, i))),
      ]),
    )
    rejects(
      () => sumPaillierUpdates(paillier, five, 10),
      'PROTOCOL',
      /5 updates exceed maxClients 4/,
    )
    const [a, b, c, d, e] = [...five.values()].map((bytes) => paillier.load(bytes))
    const four = paillier.add(paillier.add(a!, b!), paillier.add(c!, d!))
    assert.equal(paillier.describe(four).count, 4)
    rejects(() => paillier.add(four, e!), 'PROTOCOL', /5 updates exceed maxClients 4/)
    // Same key, other packing: its handles are not relabelled with this layout.
    const twelveBit = createPaillierPublic(keys.publicKey, { ...packing, valueBits: 12 }, backend)
    rejects(
      () => paillier.add(a!, twelveBit.encryptPacked(update(10))),
      'PROTOCOL',
      /packed with valueBits 12, this layout has 16/,
    )
    rejects(
      () => paillier.add(a!, paillier.encryptPacked(update(11))),
      'PROTOCOL',
      /updates of 10 and 11 values/,
    )
  })

  it('sums the valid owners and reports the others', () => {
    const good = paillier.save(paillier.encryptPacked(update(10)))
    const sent = new Map([
      ['do-0', good],
      ['do-1', foreign.save(foreign.encryptPacked(update(10)))],
      ['do-2', paillier.save(paillier.encryptPacked(update(10, 1)))],
      ['do-3', paillier.save(paillier.add(paillier.load(good), paillier.load(good)))],
    ])
    const { sum, summed, rejected } = sumPaillierUpdates(paillier, sent, 10)
    assert.deepEqual(summed, ['do-0', 'do-2'])
    assert.deepEqual(
      rejected.map((r) => r.owner),
      ['do-1', 'do-3'],
    )
    assert.match(rejected[0]!.reason, /another key/)
    assert.match(rejected[1]!.reason, /carries 2 updates, not 1/)
    assert.equal(secret.decryptPacked(paillier.load(sum!)).count, 2)
  })

  it('never uses a precomputed randomiser twice', () => {
    const owner = createPaillierPublic(keys.publicKey, packing, backend)
    owner.precomputeRandomness(6)
    assert.equal(owner.pooledRandomness, 6)
    // The same update twice, 3 ciphertexts each: the pool is used up exactly.
    const values = update(250)
    const first = owner.save(owner.encryptPacked(values))
    const second = owner.save(owner.encryptPacked(values))
    assert.equal(owner.pooledRandomness, 0)
    assert.notDeepEqual(first, second)
    // Past the pool, fresh randomness.
    const third = owner.save(owner.encryptPacked(values))
    // Recover each ciphertext's r with the secret key (paillier-bigint): all distinct.
    const reference = referencePrivateKey(keys)
    const rs = [first, second, third].flatMap((b) =>
      rawCiphertexts(b, 512).map((c) => reference.getRandomFactor(c)),
    )
    assert.equal(rs.length, 9)
    assert.equal(new Set(rs).size, 9)
    assert.ok(rs.every((r) => r > 1n && r < keys.publicKey.n))
    rejects(
      () => owner.precomputeRandomness(-1),
      'CONFIG_INVALID',
      /count must be a non-negative integer/,
    )
  })

  it('cannot detect a well-formed change made with the public key (Paillier is malleable)', () => {
    // Documented residual risk: anyone with n can multiply in (1 + δ·n) = Enc(δ; r = 1).
    // A δ in a value slot, counter untouched, passes every check and shifts that value.
    const values = update(20)
    const bytes = paillier.save(paillier.encryptPacked(values))
    const [c] = rawCiphertexts(bytes, 512)
    const n = keys.publicKey.n
    const delta = 1000n << BigInt(paillier.layout.slotBits) // +1000 steps on value 0
    const shifted = withCiphertexts(bytes, [(c! * (1n + delta * n)) % (n * n)], 512)
    const decoded = secret.decryptPacked(paillier.load(shifted)).values
    assert.ok(
      Math.abs(decoded[0]! - values[0]! - 1000 * paillier.layout.step) < paillier.layout.step,
    )
  })
})
