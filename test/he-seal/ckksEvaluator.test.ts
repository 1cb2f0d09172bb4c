import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { CkksRequestor, SealEvaluator } from '../../src/adapters/he-seal/index.ts'
import {
  createCkksEvaluator,
  HE_PRESETS,
  heStandardMaxBits,
  resolvePreset,
} from '../../src/adapters/he-seal/index.ts'
import { MsflError } from '../../src/core/errors/msflError.ts'
import type { HeCiphertext } from '../../src/core/ports/he.ts'
import { randomVector, relativeError, requestor8192 } from './sealTestHelpers.ts'

const SLOTS = 4096

describe('CKKS presets', () => {
  it('stay within the HE standard bound for 128-bit security and document depth and slots', () => {
    for (const p of Object.values(HE_PRESETS)) {
      const total = p.coeffModulusBits.reduce((a, b) => a + b, 0)
      assert.ok(total <= heStandardMaxBits(p.polyModulusDegree), p.preset)
      assert.equal(p.securityBits, 128)
      assert.equal(p.slots, p.polyModulusDegree / 2)
      assert.equal(p.depth, p.coeffModulusBits.length - 2)
    }
    assert.equal(resolvePreset('ckks-8192').depth, 2)
    assert.equal(resolvePreset('ckks-16384').depth, 5)
    assert.throws(() => resolvePreset('ckks-1024'), { code: 'CONFIG_INVALID' })
  })
})

describe('CKKS evaluator (ckks-8192)', () => {
  let requestor: CkksRequestor
  let owner: SealEvaluator
  const decrypt = (ct: HeCiphertext, from: SealEvaluator = owner) =>
    requestor.decryptor.decrypt(requestor.evaluator.load(from.save(ct)))
  const a = randomVector(SLOTS, 1)
  const b = randomVector(SLOTS, 2)

  before(async () => {
    requestor = await requestor8192()
    owner = await createCkksEvaluator(requestor.publicMaterial)
  })
  after(() => {
    owner.dispose()
    requestor.dispose()
  })

  it('round-trips encrypt → save → load → decrypt with relative error below 1e-6', () => {
    const ct = owner.encrypt(a)
    assert.ok(relativeError(decrypt(ct), a) < 1e-6)
    // Shorter vectors are zero-padded.
    const short = requestor.evaluator.encrypt(Float64Array.of(1, 2, 3))
    const out = requestor.decryptor.decrypt(short)
    assert.ok(relativeError(out.subarray(0, 4), [1, 2, 3, 0]) < 1e-6)
    assert.throws(() => owner.encrypt(new Float64Array(SLOTS + 1)), MsflError)
    assert.throws(() => owner.encrypt(Float64Array.of(Number.NaN)), MsflError)
  })

  it('adds, multiplies and rotates like plaintext arithmetic (relative error below 1e-5)', () => {
    const x = owner.encrypt(a)
    const y = owner.encrypt(b)
    const check = (ct: HeCiphertext, expected: ArrayLike<number>, what: string) => {
      const error = relativeError(decrypt(ct), expected)
      assert.ok(error < 1e-5, `${what}: relative error ${error}`)
    }
    check(
      owner.add(x, y),
      a.map((v, i) => v + b[i]!),
      'add',
    )
    check(
      owner.addPlain(x, b),
      a.map((v, i) => v + b[i]!),
      'addPlain',
    )
    check(
      owner.multiplyPlain(x, b),
      a.map((v, i) => v * b[i]!),
      'multiplyPlain',
    )
    check(
      owner.multiply(x, y),
      a.map((v, i) => v * b[i]!),
      'multiply',
    )
    check(
      owner.multiply(x, x),
      a.map((v) => v * v),
      'square',
    )
    check(
      owner.rotate(x, 1),
      a.map((_, i) => a[(i + 1) % SLOTS]!),
      'rotate 1',
    )
    check(
      owner.rotate(x, -1),
      a.map((_, i) => a[(i + SLOTS - 1) % SLOTS]!),
      'rotate -1',
    )
    check(
      owner.rotate(x, SLOTS + 4),
      a.map((_, i) => a[(i + 4) % SLOTS]!),
      'rotate slots + 4',
    )
    check(owner.rotate(x, 0), a, 'rotate 0')
    // Depth 2: (a·b)·a, then added to a fresh ciphertext at another level.
    const cubic = owner.multiply(owner.multiplyPlain(x, b), x)
    check(
      owner.add(cubic, y),
      a.map((v, i) => v * v * b[i]! + b[i]!),
      'depth 2 + level alignment',
    )
    assert.throws(() => owner.rotate(x, 3), /no Galois key/)
  })

  it('consumes one level per multiplication and refuses to go below the last', () => {
    const x = owner.encrypt(a)
    assert.equal(owner.levelsLeft(x), 2)
    assert.equal(owner.levelsLeft(owner.addPlain(x, b)), 2)
    assert.equal(owner.levelsLeft(owner.rotate(x, 1)), 2)
    const once = owner.multiplyPlain(x, b)
    assert.equal(owner.levelsLeft(once), 1)
    const twice = owner.multiply(once, x)
    assert.equal(owner.levelsLeft(twice), 0)
    assert.equal(owner.levelsLeft(owner.add(twice, x)), 0)
    // At the last level (one 60-bit prime, scale 2^40) plaintexts must stay below 2^19;
    // SEAL would let larger ones wrap around silently after reducing them to the level.
    assert.throws(() => owner.addPlain(twice, new Float64Array(SLOTS).fill(2 ** 19)), /too large/)
    assert.equal(owner.levelsLeft(owner.addPlain(x, new Float64Array(SLOTS).fill(2 ** 40))), 2)
    assert.throws(() => owner.multiplyPlain(twice, b), /no levels left/)
    assert.throws(() => owner.multiply(twice, twice), /no levels left/)
    // compact saving drops to the last level; the loaded copy reports it.
    assert.equal(owner.levelsLeft(owner.load(owner.save(x, { compact: true }))), 0)
    assert.equal(owner.levelsLeft(owner.load(owner.save(x))), 2)
  })

  it('multiplies by an all-zero vector (SEAL would refuse the transparent result)', () => {
    const x = owner.encrypt(a)
    const zero = owner.multiplyPlain(x, new Float64Array(SLOTS))
    assert.equal(owner.levelsLeft(zero), 1)
    const out = decrypt(zero)
    assert.ok(out.every((v) => Math.abs(v) < 1e-6))
    // Still an ordinary ciphertext: it survives serialisation and further arithmetic.
    const sum = owner.add(zero, owner.multiplyPlain(x, b))
    assert.ok(
      relativeError(
        decrypt(sum),
        a.map((v, i) => v * b[i]!),
      ) < 1e-5,
    )
  })

  it('saves compactly at about 32 bytes per slot', () => {
    const x = owner.encrypt(a)
    const fresh = owner.save(x)
    const compact = owner.save(x, { compact: true })
    assert.ok(compact.length / SLOTS < 33, `compact: ${compact.length / SLOTS} bytes per slot`)
    assert.ok(fresh.length / SLOTS < 96, `fresh: ${fresh.length / SLOTS} bytes per slot`)
    assert.ok(
      relativeError(requestor.decryptor.decrypt(requestor.evaluator.load(compact)), a) < 1e-6,
    )
  })

  it('scope releases every intermediate and keeps what is returned, nested', () => {
    const base = owner.liveCiphertexts
    const kept = owner.scope(() => {
      const x = owner.encrypt(a)
      const y = owner.multiplyPlain(x, b)
      owner.rotate(y, 1)
      const inner = owner.scope(() => {
        const t = owner.add(x, x)
        return { result: owner.add(t, y), other: [owner.rotate(x, 2)] }
      })
      return { result: inner.result, list: [{ nested: inner.other }] }
    })
    assert.equal(owner.liveCiphertexts, base + 2)
    const { result, list } = kept
    const nested = list[0]!.nested
    assert.ok(
      relativeError(
        decrypt(result),
        a.map((v, i) => 2 * v + v * b[i]!),
      ) < 1e-5,
    )
    owner.release(result)
    owner.release(nested[0]!)
    assert.equal(owner.liveCiphertexts, base)
    // A throwing callback releases everything it created.
    assert.throws(() =>
      owner.scope(() => {
        owner.encrypt(a)
        throw new Error('boom')
      }),
    )
    assert.equal(owner.liveCiphertexts, base)
    assert.throws(() => owner.scope(() => Promise.resolve(owner.encrypt(a))), /synchronous/)
    assert.equal(owner.liveCiphertexts, base)
  })

  it('release deletes, twice is a no-op, and a released or foreign handle is an error', () => {
    const x = owner.encrypt(a)
    owner.release(x)
    owner.release(x)
    assert.throws(() => owner.add(x, x), { name: 'MsflError', message: /released/ })
    assert.throws(() => owner.save(x), /released/)
    const theirs = requestor.evaluator.encrypt(a)
    assert.throws(() => owner.rotate(theirs, 1), /not a ciphertext of this HE evaluator/)
    requestor.evaluator.release(theirs)
  })

  it('gives data owners no way to decrypt, by type and at run time', () => {
    assert.equal('decrypt' in owner, false)
    assert.equal('decryptor' in owner, false)
    // @ts-expect-error an evaluator built from public material has no decrypt method
    assert.throws(() => owner.decrypt(owner.encrypt(a)), TypeError)
  })
})
