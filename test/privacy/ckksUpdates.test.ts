import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import {
  type CkksRequestor,
  createCkksEvaluator,
  createCkksRequestor,
} from '../../src/adapters/he-seal/index.ts'
import {
  decryptUpdateSum,
  encryptUpdate,
  sumEncryptedUpdates,
} from '../../src/core/privacy/ckksUpdates.ts'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'

describe('CKKS-encrypted updates (plaintext-model mode, ckks-8192)', () => {
  let keyHolder: CkksRequestor
  let provider: Awaited<ReturnType<typeof createCkksEvaluator>>
  before(async () => {
    keyHolder = await createCkksRequestor('ckks-8192', { rotations: [] })
    provider = await createCkksEvaluator(keyHolder.publicMaterial)
  })
  after(() => {
    provider?.dispose()
    keyHolder?.dispose()
  })

  it('the key holder decrypts the example-weighted sum of 10 owners within 1e-6 relative', () => {
    const rng = createSeededRng(3)
    const length = 10_000
    const owners = Array.from({ length: 10 }, (_, i) => ({
      id: `do-${i}`,
      weight: 100 + rng.nextInt(900),
      update: Float64Array.from({ length }, () => 0.1 * rng.normal()),
    }))
    // Owners encrypt with public material only (the provider's evaluator stands for theirs).
    const sent = new Map(owners.map((o) => [o.id, encryptUpdate(provider, o.update, o.weight)]))
    assert.equal(sent.get('do-0')!.length, 3)
    const { sum, summed, rejected } = sumEncryptedUpdates(provider, sent, length)
    assert.equal(summed.length, 10)
    assert.deepEqual(rejected, [])
    const decrypted = decryptUpdateSum(keyHolder.evaluator, keyHolder.decryptor, sum, length)
    let worst = 0
    let scale = 0
    for (let j = 0; j < length; j++) {
      const exact = owners.reduce((s, o) => s + o.weight * o.update[j]!, 0)
      worst = Math.max(worst, Math.abs(decrypted[j]! - exact))
      scale = Math.max(scale, Math.abs(exact))
    }
    assert.ok(worst / scale < 1e-6, `relative error ${worst / scale}`)
    // The provider holds no decryptor at all: its evaluator has no decrypt.
    assert.equal('decrypt' in provider, false)
  })

  it('an owner with truncated, garbage or miscounted ciphertexts is left out with a reason', () => {
    const length = 5000
    const good = encryptUpdate(provider, new Float64Array(length).fill(0.5), 2)
    const sent = new Map<string, readonly Uint8Array[]>([
      ['do-0', good],
      ['do-1', encryptUpdate(provider, new Float64Array(length).fill(0.25), 4)],
      ['do-2', good.map((c) => c.subarray(0, c.length >> 1))],
      ['do-3', good.map((c) => c.map((_, i) => (i * 131) & 0xff))],
      ['do-4', [good[0]!]],
    ])
    const { sum, summed, rejected } = sumEncryptedUpdates(provider, sent, length)
    assert.deepEqual(summed, ['do-0', 'do-1'])
    assert.deepEqual(
      rejected.map((r) => r.owner),
      ['do-2', 'do-3', 'do-4'],
    )
    for (const r of rejected) assert.ok(r.reason.length > 10, r.reason)
    const decrypted = decryptUpdateSum(keyHolder.evaluator, keyHolder.decryptor, sum, length)
    assert.ok(Math.abs(decrypted[4999]! - 2) < 1e-6)
    assert.throws(() => encryptUpdate(provider, Float64Array.of(Number.NaN), 1), /not finite/)
    assert.throws(() => encryptUpdate(provider, Float64Array.of(1), 0), /weight/)
  })
})
