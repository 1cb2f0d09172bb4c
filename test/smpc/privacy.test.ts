import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import type { MessageHandler } from '../../src/core/ports/transport.ts'
import { reconstructBits, reconstructRing } from '../../src/core/smpc/additiveSharing.ts'
import { encodeFixedPoint } from '../../src/core/smpc/fixedPoint.ts'
import { ringFromWire, ringGetSignedNumber } from '../../src/core/smpc/ring64.ts'
import { chiSquareCritical, chiSquareSame } from '../helpers/chiSquare.ts'
import { dataset, head, trained, verify } from './smpcFixtures.ts'

/** Pearson's χ² of byte values against the uniform distribution (255 degrees of freedom). */
function chiSquareUniform(histogram: readonly number[]): number {
  const total = histogram.reduce((s, c) => s + c, 0)
  const expected = total / histogram.length
  return histogram.reduce((s, c) => s + (c - expected) ** 2 / expected, 0)
}

/** Histogram of the bytes, or of the 4-bit nibbles when there are too few bytes for 256 bins. */
function byteHistogram(chunks: readonly Uint32Array[], nibbles = false): number[] {
  const histogram = new Array<number>(nibbles ? 16 : 256).fill(0)
  for (const words of chunks) {
    const bytes = new Uint8Array(words.buffer, words.byteOffset, words.byteLength)
    for (const b of bytes) {
      if (!nibbles) histogram[b]! += 1
      else {
        histogram[b & 15]! += 1
        histogram[b >>> 4]! += 1
      }
    }
  }
  return histogram
}

function pearson(x: readonly number[], y: readonly number[]): number {
  const n = x.length
  const mx = x.reduce((s, v) => s + v, 0) / n
  const my = y.reduce((s, v) => s + v, 0) / n
  let sxy = 0
  let sxx = 0
  let syy = 0
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my)
    sxx += (x[i]! - mx) ** 2
    syy += (y[i]! - my) ** 2
  }
  return sxy / Math.sqrt(sxx * syy)
}

interface NodeView {
  /** verifier-1's shares of every model. */
  modelShares: Uint32Array[]
  /** Every value opened to verifier-1, by phase. */
  opened: Map<string, Uint32Array[]>
  /** The opened counts as the run reported them: correct and in-range, per model. */
  reportedCounts: number[]
}

/** Runs a verification and records what verifier-1 receives and what is opened to it. */
async function observe(params: Float64Array[]): Promise<NodeView> {
  const { test } = await dataset('digits')
  const view: NodeView = { modelShares: [], opened: new Map(), reportedCounts: [] }
  const shares = new Map<number, { phase: string; kind: string; shares: Uint32Array[] }>()
  const wrapNode = (nodeId: string, inner: MessageHandler): MessageHandler => ({
    handle(message) {
      const m = message as { type: string; step: number; phase: string; share: Int32Array }
      if (nodeId === 'verifier-1' && m.type === 'smpc-model-share')
        view.modelShares.push(ringFromWire(m.share.slice()))
      // Every node receives every other node's share once; collecting at verifier-2 and
      // verifier-3 covers all three nodes' shares (verifier-1's own included).
      const from = (m as { from?: string }).from
      if (
        m.type === 'smpc-open' &&
        (nodeId === 'verifier-2' || (nodeId === 'verifier-3' && from === 'verifier-2'))
      ) {
        const entry = shares.get(m.step) ?? { phase: m.phase, kind: '', shares: [] }
        entry.shares.push(ringFromWire(m.share.slice()))
        shares.set(m.step, entry)
      }
      return inner.handle(message)
    },
  })
  const result = await verify(
    head(test, 200),
    params.map((p, i) => ({ clientId: `owner-${i}`, params: p, numExamples: 10 })),
    { wrapNode, threshold: 0 },
  )
  for (const { phase, shares: parts } of [...shares.entries()]
    .sort((a, b) => a[0] - b[0])
    .map((e) => e[1])) {
    const ring = ['beaver-inputs', 'beaver-labels', 'mask', 'count', 'aggregate'].includes(phase)
    const opened = ring ? reconstructRing(parts) : reconstructBits(parts)
    view.opened.set(phase, [...(view.opened.get(phase) ?? []), opened])
  }
  view.reportedCounts = result.models.flatMap((m) => [m.correct, m.parametersInRange])
  return view
}

describe("a single node's view is independent of the models", () => {
  const copies = 3
  let trainedWeights: Float64Array
  let zeroView: NodeView
  let largeView: NodeView
  before(async () => {
    const { train } = await dataset('digits')
    // Two very different models: all zeros, and trained weights blown up 1000×.
    trainedWeights = trained(train, 2, 4).map((w) => w * 1000)
    zeroView = await observe(
      Array.from({ length: copies }, () => new Float64Array(trainedWeights.length)),
    )
    largeView = await observe(Array.from({ length: copies }, () => trainedWeights))
  })

  it("a node's model shares are uniform bytes for both models and indistinguishable", () => {
    const zero = byteHistogram(zeroView.modelShares)
    const large = byteHistogram(largeView.modelShares)
    assert.ok(
      chiSquareUniform(zero) < chiSquareCritical(255),
      `zero model: χ² ${chiSquareUniform(zero)}`,
    )
    assert.ok(
      chiSquareUniform(large) < chiSquareCritical(255),
      `large model: χ² ${chiSquareUniform(large)}`,
    )
    assert.ok(
      chiSquareSame(zero, large) < chiSquareCritical(255),
      `χ² ${chiSquareSame(zero, large)}`,
    )
    // The same test does detect a leak: the encoded weights themselves are far from uniform.
    const plain = byteHistogram([encodeFixedPoint(trainedWeights, 16)])
    assert.ok(chiSquareUniform(plain) > chiSquareCritical(255), 'the test has power against a leak')
  })

  it("a node's share values do not correlate with the weights", () => {
    const weights = Array.from(trainedWeights)
    const bound = 5 / Math.sqrt(weights.length)
    for (const share of largeView.modelShares) {
      const signed = weights.map((_, j) => ringGetSignedNumber(share, j))
      const r = pearson(signed, weights)
      assert.ok(Math.abs(r) < bound, `correlation ${r} (bound ${bound})`)
    }
    // Control: a "share" that is the encoding plus small noise correlates almost perfectly.
    const leaky = weights.map((w, j) => w * 65536 + (j % 7))
    assert.ok(pearson(leaky, weights) > 0.99)
  })

  it('every opened value except the counts and the aggregate is uniformly random', () => {
    // The recorded shares really rebuild the opened values: the counts match the report.
    for (const view of [zeroView, largeView]) {
      const counts = view.opened.get('count')![0]!
      assert.deepEqual(
        view.reportedCounts.map((_, g) => ringGetSignedNumber(counts, g)),
        view.reportedCounts,
      )
    }
    const phases = [...zeroView.opened.keys()]
    assert.deepEqual(phases, ['mask', 'borrow', 'block-and', 'dabit', 'count', 'aggregate'])
    for (const phase of ['mask', 'borrow', 'block-and', 'dabit']) {
      const bytes = zeroView.opened.get(phase)!.reduce((s, v) => s + v.byteLength, 0)
      // At least 10 expected per bin: bytes, or nibbles for the short daBit opening.
      const nibbles = bytes < 2560
      const df = nibbles ? 15 : 255
      const zero = byteHistogram(zeroView.opened.get(phase)!, nibbles)
      const large = byteHistogram(largeView.opened.get(phase)!, nibbles)
      assert.ok(bytes >= 80, `${phase}: enough data (${bytes} bytes) for the test`)
      const chiZero = chiSquareUniform(zero)
      const chiLarge = chiSquareUniform(large)
      assert.ok(chiZero < chiSquareCritical(df), `${phase}, zero model: χ² ${chiZero}`)
      assert.ok(chiLarge < chiSquareCritical(df), `${phase}, large model: χ² ${chiLarge}`)
      assert.ok(
        chiSquareSame(zero, large) < chiSquareCritical(df),
        `${phase}: ${chiSquareSame(zero, large)}`,
      )
    }
    // The counts are what is meant to be revealed: they do differ between the models.
    assert.notDeepEqual(zeroView.opened.get('count'), largeView.opened.get('count'))
  })
})
