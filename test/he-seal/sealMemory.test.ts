import assert from 'node:assert/strict'
import { it } from 'node:test'
import { randomVector, relativeError, requestor8192, wasmHeapBytes } from './sealTestHelpers.ts'

it('200 rounds of encrypt → multiply → rotate → decrypt in a scope leave the WebAssembly heap unchanged', async (t) => {
  const requestor = await requestor8192()
  const he = requestor.evaluator
  const a = randomVector(4096, 5)
  const b = randomVector(4096, 6)
  const expected = a.map((_, i) => a[(i + 1) % 4096]! * b[(i + 1) % 4096]!)
  const round = () =>
    he.scope(() => {
      const x = he.encrypt(a)
      const y = he.load(he.save(he.encrypt(b)))
      return requestor.decryptor.decrypt(he.rotate(he.multiply(x, y), 1))
    })
  for (let i = 0; i < 20; i++) round()
  const before = wasmHeapBytes()
  let worst = 0
  for (let i = 0; i < 200; i++) worst = Math.max(worst, relativeError(round(), expected))
  const growth = wasmHeapBytes() - before
  t.diagnostic(
    `heap ${before} bytes after warm-up, growth ${growth} bytes; worst relative error ${worst}`,
  )
  assert.equal(he.liveCiphertexts, 0)
  assert.ok(growth <= 2 ** 20, `heap grew by ${growth} bytes`)
  assert.ok(worst < 1e-5)
  requestor.dispose()
  assert.throws(() => he.encrypt(a), /disposed/)
})
