import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  applyMask,
  pairwiseMaskInfo,
  pairwiseMaskSign,
} from '../../src/core/secagg/pairwiseMasks.ts'
import { fieldFromBytes } from '../../src/core/secagg/primeField.ts'
import { defaultLevels, quantiseInto } from '../../src/core/secagg/quantisation.ts'
import type {
  KeysMessage,
  MaskedInputMessage,
  SetupMessage,
  UnmaskMessage,
} from '../../src/core/secagg/secaggMessages.ts'
import { reconstructSecret, type ShamirShare } from '../../src/core/secagg/shamir.ts'
import { simulateSecureAggregation } from '../../src/runtime/secagg/simulateSecureAggregation.ts'
import type { DropoutPlan } from '../../src/runtime/secagg/withDropout.ts'
import {
  clippedSum,
  crypto,
  maxDeviation,
  memoryTransport,
  type RecordingTransport,
  randomInputs,
  recording,
} from './secaggFixtures.ts'

const clients = 100
const dimension = 1000
const threshold = 67
const session = 'dropout-100'
const quantisation = { clip: 1, levels: defaultLevels(clients) }

/** Every value inside a received message, depth first. */
function* walk(value: unknown): Generator<unknown> {
  yield value
  if (Array.isArray(value)) for (const v of value) yield* walk(v)
  else if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype)
    for (const v of Object.values(value)) yield* walk(v)
}

/** |a − b| in Z_2^32, the shorter way round. */
const ringDistance = (a: number, b: number) => {
  const d = (a - b) >>> 0
  return Math.min(d, 2 ** 32 - d)
}

describe('30 % of 100 clients drop after key sharing', async () => {
  const inputs = randomInputs(clients, dimension, 30)
  const ids = [...inputs.keys()]
  // Three in ten drop: most disconnect at once, a few go silent and time out.
  const leaving = ids.filter((_, i) => i % 10 < 3)
  const dropouts = new Map<string, DropoutPlan>(
    leaving.map((id, k) => [id, { from: 'masked-input', mode: k < 4 ? 'silent' : 'disconnect' }]),
  )
  let view!: RecordingTransport
  const result = await simulateSecureAggregation({
    session,
    inputs,
    threshold,
    quantisation,
    crypto,
    stageTimeoutMs: 1500,
    dropouts,
    makeTransport: (handlers) => {
      view = recording(memoryTransport(handlers))
      return view
    },
  })
  const survivors = ids.filter((id) => !leaving.includes(id))
  const received = <T>(type: string) =>
    view.received.filter((r) => (r.reply as { type?: string }).type === type) as {
      from: string
      reply: T
    }[]

  it('completes with the survivors’ sum within the quantisation bound and names who dropped', () => {
    assert.deepEqual(result.survivors, survivors)
    assert.deepEqual(
      result.dropped.map((d) => d.clientId),
      leaving,
    )
    assert.ok(result.dropped.every((d) => d.stage === 'masked-input'))
    assert.equal(
      result.dropped.filter((d) => d.reason === 'no reply before the stage timeout').length,
      4,
    )
    const exact = clippedSum(inputs, survivors, 1)
    assert.ok(maxDeviation(result.sum, exact.sum) <= result.errorBound + exact.floatError)
  })

  it('the server received no plaintext and no masked input close to any client’s quantised input', () => {
    for (const { reply } of view.received)
      for (const v of walk(reply)) assert.ok(!(v instanceof Float64Array), 'plaintext vector')
    const quantised = ids.map((id) => {
      const q = new Uint32Array(dimension)
      quantiseInto(inputs.get(id)!, quantisation, q)
      return q
    })
    const masked = received<MaskedInputMessage>('secagg-masked-input')
    assert.equal(masked.length, survivors.length)
    let worst = 0
    for (const { reply } of masked) {
      const y = new Uint32Array(reply.masked.buffer, reply.masked.byteOffset, dimension)
      for (const q of quantised) {
        let close = 0
        for (let j = 0; j < dimension; j++) if (ringDistance(y[j]!, q[j]!) <= 1) close += 1
        worst = Math.max(worst, close)
      }
    }
    // A uniform y matches a given q within ±1 with probability 3·2^-32 per coordinate.
    assert.ok(worst <= 2, `${worst} of ${dimension} coordinates close to some input`)
  })

  it('masked inputs look uniform in Z_2^32 (χ² over 16 buckets of the top 4 bits)', () => {
    const counts = new Array<number>(16).fill(0)
    let total = 0
    for (const { reply } of received<MaskedInputMessage>('secagg-masked-input'))
      for (const v of reply.masked) {
        counts[(v >>> 28) & 15]! += 1
        total += 1
      }
    const expected = total / 16
    const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0)
    // 15 degrees of freedom: P(χ² > 50) ≈ 1e-5. Unmasked inputs near 0 would fill 2 buckets.
    assert.ok(chi2 < 50, `χ² = ${chi2}`)
  })

  it('never both shares for one client: self-mask shares only of survivors, key shares only of the dropped', () => {
    const revealed = received<UnmaskMessage>('secagg-unmask')
    assert.equal(revealed.length, survivors.length)
    const selfMask = new Set(revealed.flatMap(({ reply }) => reply.selfMaskShares.map((s) => s.of)))
    const secretKey = new Set(
      revealed.flatMap(({ reply }) => reply.secretKeyShares.map((s) => s.of)),
    )
    assert.deepEqual([...selfMask].sort(), [...survivors].sort())
    assert.deepEqual([...secretKey].sort(), [...leaving].sort())
  })

  it('even stripping every mask the server can, a survivor’s input stays hidden; only the sum is exposed', () => {
    const index = new Map(
      view.sent
        .filter((s) => (s.message as { type: string }).type === 'secagg-setup')
        .map((s) => [s.to, (s.message as SetupMessage).index]),
    )
    const maskKeys = new Map(
      received<KeysMessage>('secagg-keys').map(({ from, reply }) => [from, reply.maskKey]),
    )
    const revealed = received<UnmaskMessage>('secagg-unmask')
    const rebuild = (of: string, kind: 'selfMaskShares' | 'secretKeyShares') => {
      const shares: ShamirShare[] = revealed
        .flatMap(({ from, reply }) =>
          reply[kind]
            .filter((s) => s.of === of)
            .map((s) => ({ x: index.get(from)!, y: fieldFromBytes(s.share, 'share') })),
        )
        .sort((a, b) => a.x - b.x)
      return reconstructSecret(shares, threshold)
    }
    const droppedKeys = leaving.map((id) => ({ id, secretKey: rebuild(id, 'secretKeyShares') }))
    const residualSum = new Uint32Array(dimension)
    let worst = 0
    for (const { from, reply } of received<MaskedInputMessage>('secagg-masked-input')) {
      const residual = new Uint32Array(
        reply.masked.buffer.slice(0),
        reply.masked.byteOffset,
        dimension,
      )
      applyMask(residual, crypto.expandMask(rebuild(from, 'selfMaskShares'), dimension), -1)
      for (const { id, secretKey } of droppedKeys) {
        const seed = crypto.agree(secretKey, maskKeys.get(from)!, pairwiseMaskInfo(session))
        const sign = pairwiseMaskSign(index.get(from)!, index.get(id)!)
        applyMask(residual, crypto.expandMask(seed, dimension), sign === 1 ? -1 : 1)
      }
      // What is left is q_u plus the masks u shares with the other survivors.
      const q = new Uint32Array(dimension)
      quantiseInto(inputs.get(from)!, quantisation, q)
      let close = 0
      for (let j = 0; j < dimension; j++) if (ringDistance(residual[j]!, q[j]!) <= 1) close += 1
      worst = Math.max(worst, close)
      applyMask(residualSum, residual, 1)
    }
    assert.ok(worst <= 2, `${worst} coordinates of a residual match the input`)
    // Summed over the survivors those masks cancel: the server gets exactly the sum.
    const expected = new Uint32Array(dimension)
    for (const id of survivors) {
      const q = new Uint32Array(dimension)
      quantiseInto(inputs.get(id)!, quantisation, q)
      applyMask(expected, q, 1)
    }
    assert.deepEqual(residualSum, expected)
  })
})
