import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { modelDigest } from '../../src/adapters/ledger-evm/index.ts'
import { createMemorySettlement } from '../../src/adapters/ledger-memory/index.ts'
import { constantTimeEqual } from '../../src/core/crypto/constantTimeEqual.ts'
import { createModel } from '../../src/core/model/createModel.ts'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'
import { globalModelBytes, wrapModelCheck } from '../../src/core/verification/wrapModelCheck.ts'

const spec = { kind: 'softmax', inputDim: 4, outputDim: 3, hidden: [], l2: 0 } as const

function world() {
  const settlement = createMemorySettlement({ pricePerComponent: 1n, requestor: 'mr' })
  const params = createModel(spec).init(createSeededRng(7))
  const calls: unknown[] = []
  const inner = {
    handle: async (message: unknown) => {
      calls.push(message)
      return { type: 'ok' }
    },
  }
  const checked = wrapModelCheck(inner, 'do-1', spec, {
    registered: (round) => settlement.modelDigest(round),
    digest: modelDigest,
  })
  const fit = (round: number, p: Float64Array) => ({
    type: 'fit',
    runId: 'r',
    round,
    mode: 'params',
    params: p,
    training: { epochs: 1, batchSize: 8, learningRate: 0.1, momentum: 0 },
  })
  return { settlement, params, calls, checked, fit }
}

describe('participants check the global model against the ledger', () => {
  it('trains on the model whose digest is registered for the previous round', async () => {
    const w = world()
    await w.settlement.registerModel(0, modelDigest(globalModelBytes(spec, w.params)))
    assert.deepEqual(await w.checked.handle(w.fit(1, w.params)), { type: 'ok' })
    assert.equal(w.calls.length, 1)
  })

  it('refuses a tampered model (one parameter changed) without training on it', async () => {
    const w = world()
    await w.settlement.registerModel(0, modelDigest(globalModelBytes(spec, w.params)))
    const tampered = Float64Array.from(w.params)
    tampered[3] = tampered[3]! + 1e-9
    const reply = (await w.checked.handle(w.fit(1, tampered))) as { type: string; message: string }
    assert.equal(reply.type, 'error')
    assert.match(reply.message, /digest differs from the one registered for round 0/)
    assert.equal(w.calls.length, 0)
  })

  it('refuses a model when nothing is registered for the previous round', async () => {
    const w = world()
    await w.settlement.registerModel(0, modelDigest(globalModelBytes(spec, w.params)))
    const reply = (await w.checked.handle(w.fit(2, w.params))) as { type: string; message: string }
    assert.match(reply.message, /no digest is registered on the ledger for round 1/)
    assert.equal(w.calls.length, 0)
  })

  it('passes other messages through untouched', async () => {
    const w = world()
    assert.deepEqual(await w.checked.handle({ type: 'ping' }), { type: 'ok' })
    assert.equal(w.calls.length, 1)
  })
})

describe('constantTimeEqual', () => {
  it('is true only for equal bytes of equal length', () => {
    assert.equal(constantTimeEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 3)), true)
    assert.equal(constantTimeEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 4)), false)
    assert.equal(constantTimeEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2, 3)), false)
    assert.equal(constantTimeEqual(new Uint8Array(0), new Uint8Array(0)), true)
  })
})
