import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { deflateSync } from 'node:zlib'
import {
  type CkksRequestor,
  createCkksEvaluator,
  createCkksRequestor,
  createSealContext,
  generateKeyMaterial,
  HE_PRESETS,
  inflateSealObject,
  loadSeal,
  openPublicMaterial,
  validateSealHeader,
} from '../../src/adapters/he-seal/index.ts'
import { MsflError } from '../../src/core/errors/msflError.ts'
import { decodeMessage } from '../../src/core/wire/decodeMessage.ts'
import { encodeMessage } from '../../src/core/wire/encodeMessage.ts'
import { randomVector, relativeError, requestor8192, TEST_ROTATIONS } from './sealTestHelpers.ts'

type Material = Record<string, unknown>
const inflated = (blob: Uint8Array) =>
  inflateSealObject(
    blob,
    validateSealHeader(blob, { what: 'test', maxBytes: 2 ** 30, compression: [0, 1] }),
    { maxBytes: 2 ** 30, minWordBits: 1, allowance: 0 },
    'test',
  )
const contains = (haystack: Uint8Array, needle: Uint8Array) =>
  Buffer.from(haystack.buffer, haystack.byteOffset, haystack.length).indexOf(needle) >= 0

describe('public material', () => {
  let requestor: CkksRequestor
  let material: Material
  before(async () => {
    requestor = await requestor8192()
    material = decodeMessage(requestor.publicMaterial) as Material
  })
  after(() => requestor.dispose())

  it('never contains the secret key, in any of its parts', async () => {
    const seal = await loadSeal()
    const context = createSealContext(seal, HE_PRESETS['ckks-8192']!)
    const { secretKey, publicMaterial } = generateKeyMaterial(context, TEST_ROTATIONS)
    const secret = secretKey.saveArray(seal.ComprModeType.none)
    secretKey.delete()
    context.delete()
    const parts = decodeMessage(publicMaterial) as Material
    assert.deepEqual(Object.keys(parts).sort(), [
      'format',
      'galoisKeys',
      'preset',
      'publicKey',
      'relinKeys',
      'rotations',
      'version',
    ])
    const places = [
      publicMaterial,
      ...['publicKey', 'relinKeys', 'galoisKeys'].map((k) => inflated(parts[k] as Uint8Array)),
    ]
    // Windows of the secret key's coefficients (its second half: past all metadata).
    for (let w = 0; w < 16; w++) {
      const at = Math.floor(secret.length / 2) + w * Math.floor(secret.length / 40)
      const window = secret.subarray(at, at + 32)
      for (const place of places) assert.equal(contains(place, window), false)
    }
  })

  it('holds Galois keys for exactly the requested rotations', async () => {
    assert.equal(material.preset, 'ckks-8192')
    assert.deepEqual([...(material.rotations as Int32Array)], [1, 2, 4, 256, 4095])
    const seal = await loadSeal()
    const { context, keys } = openPublicMaterial(seal, requestor.publicMaterial)
    assert.equal(keys.galoisKeys!.size, 5)
    keys.delete()
    context.delete()
    // No rotations: no Galois keys at all (SEAL would otherwise generate every power of two).
    const plain = await createCkksRequestor('ckks-8192', { rotations: [0] })
    const parts = decodeMessage(plain.publicMaterial) as Material
    assert.equal(parts.galoisKeys, undefined)
    assert.throws(
      () => plain.evaluator.rotate(plain.evaluator.encrypt(Float64Array.of(1)), 1),
      /no Galois key/,
    )
    assert.ok(plain.publicMaterial.length < requestor.publicMaterial.length / 2)
    plain.dispose()
    await assert.rejects(createCkksRequestor('ckks-9', { rotations: [] }), {
      code: 'CONFIG_INVALID',
    })
    await assert.rejects(createCkksRequestor('ckks-8192', { rotations: [1.5] }), {
      code: 'CONFIG_INVALID',
    })
  })

  it('refuses malformed, inconsistent or hostile material with a CODEC error', async () => {
    const variant = (change: (m: Material) => void) => {
      const copy = { ...material }
      change(copy)
      return encodeMessage(copy)
    }
    const bytes = (k: string) => (material[k] as Uint8Array).slice()
    const corruptAt = (k: string, at: (b: Uint8Array) => number) => {
      const b = bytes(k)
      b[at(b)]! ^= 0xff
      return b
    }
    // 64 MiB of zeros in 64 KiB, behind a valid header: far beyond the Galois keys' bound.
    const bombBody = deflateSync(new Uint8Array(64 * 2 ** 20))
    const zlibBomb = new Uint8Array(16 + bombBody.length)
    zlibBomb.set((material.galoisKeys as Uint8Array).subarray(0, 16))
    zlibBomb.set(bombBody, 16)
    zlibBomb[5] = 1
    new DataView(zlibBomb.buffer).setBigUint64(8, BigInt(zlibBomb.length), true)

    const cases: [string, Uint8Array][] = [
      ['truncated', requestor.publicMaterial.subarray(0, requestor.publicMaterial.length - 100)],
      ['not a message', new Uint8Array(100)],
      ['unknown preset', variant((m) => (m.preset = 'ckks-9'))],
      ['prototype preset', variant((m) => (m.preset = 'toString'))],
      ['extra field', variant((m) => (m.secretKey = new Uint8Array(4)))],
      ['wrong version', variant((m) => (m.version = 2))],
      ['unsorted rotations', variant((m) => (m.rotations = Int32Array.of(2, 1, 4, 256, 4095)))],
      [
        'rotations not matching keys',
        variant((m) => (m.rotations = Int32Array.of(1, 2, 4, 8, 4095))),
      ],
      ['fewer rotations than keys', variant((m) => (m.rotations = Int32Array.of(1, 2)))],
      ['no galois keys', variant((m) => delete m.galoisKeys)],
      ['relin keys as galois keys', variant((m) => (m.galoisKeys = m.relinKeys))],
      ['galois keys as relin keys', variant((m) => (m.relinKeys = m.galoisKeys))],
      ['public key bad magic', variant((m) => (m.publicKey = corruptAt('publicKey', () => 0)))],
      [
        'public key truncated',
        variant((m) => (m.publicKey = bytes('publicKey').subarray(0, 1000))),
      ],
      [
        'public key corrupt zlib',
        variant((m) => (m.publicKey = corruptAt('publicKey', (b) => b.length >> 1))),
      ],
      ['zlib bomb as galois keys', variant((m) => (m.galoisKeys = zlibBomb))],
    ]
    for (const [name, input] of cases) {
      await assert.rejects(
        createCkksEvaluator(input),
        (error: unknown) => {
          assert.ok(error instanceof MsflError, `${name}: ${String(error)}`)
          assert.equal(error.code, 'CODEC', `${name}: ${error.message}`)
          return true
        },
        name,
      )
    }
    // Zeros the size of the real Galois keys: within the parameters' bound, but zlib
    // shrinks them a thousandfold, which pseudo-random keys never allow. Refused after
    // inflating at most 64/40 of the compressed size, not the whole keys.
    const galoisSize = inflated(material.galoisKeys as Uint8Array).length
    const zerosBody = deflateSync(new Uint8Array(galoisSize - 16))
    const zeros = new Uint8Array(16 + zerosBody.length)
    zeros.set((material.galoisKeys as Uint8Array).subarray(0, 16))
    zeros.set(zerosBody, 16)
    zeros[5] = 1
    new DataView(zeros.buffer).setBigUint64(8, BigInt(zeros.length), true)
    await assert.rejects(
      createCkksEvaluator(variant((m) => (m.galoisKeys = zeros))),
      (error: unknown) =>
        error instanceof MsflError && /compression ratio impossible/.test(error.message),
    )
  })

  it('refuses ciphertexts of another preset; another key set is undetectable and decrypts to garbage', async () => {
    const other = await createCkksRequestor('ckks-16384', { rotations: [] })
    const big = other.evaluator.encrypt(randomVector(8192, 3))
    for (const bytes of [other.evaluator.save(big), other.evaluator.save(big, { compact: true })])
      assert.throws(
        () => requestor.evaluator.load(bytes),
        (e: unknown) => e instanceof MsflError && e.code === 'CODEC',
      )
    other.dispose()

    const stranger = await requestor8192()
    const values = randomVector(4096, 4)
    const foreign = requestor.evaluator.load(
      stranger.evaluator.save(stranger.evaluator.encrypt(values)),
    )
    assert.ok(relativeError(requestor.decryptor.decrypt(foreign), values) > 1)
    stranger.dispose()
  })
})
