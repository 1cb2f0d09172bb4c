import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import { loadDataset } from '../../src/adapters/data/index.ts'
import { HE_PRESETS } from '../../src/adapters/he-seal/index.ts'
import { createCsprng } from '../../src/adapters/random/index.ts'
import type { Dataset } from '../../src/core/data/dataset.ts'
import { l2NormalizeRows } from '../../src/core/data/l2NormalizeRows.ts'
import { parseDatasetSpec } from '../../src/core/data/parseDatasetSpec.ts'
import { createBlockLayout } from '../../src/core/msfl/blockLayout.ts'
import {
  drawComponentMasks,
  MASKED_VALUE_BOUND,
  type MaskMode,
  MEAN_MASK_SCALE,
  maskLeakageBound,
  maskShiftBound,
} from '../../src/core/msfl/componentMasks.ts'
import { msflModelShape } from '../../src/core/msfl/msflModel.ts'
import { plainMsflRound, plainOwnerGradients } from '../../src/core/msfl/plainMsflRound.ts'
import { sampleBatch } from '../../src/core/msfl/sampleBatch.ts'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'
import { createRobustRule } from '../../src/core/robust/createRobustRule.ts'
import { chiSquareCritical, chiSquareSame } from '../helpers/chiSquare.ts'

// The requestor's view of one component in one round: v_i = c·β_i + d for every owner i,
// with (c, d) drawn by the service provider's own mask code from the CSPRNG. CKKS adds
// its own (absolute, data-independent in distribution) error on top, which only blurs.
const ckks = HE_PRESETS['ckks-16384']!
const D = maskShiftBound(ckks)
const B = MASKED_VALUE_BOUND
const epsilon = maskLeakageBound(B, D)
const trials = 40_000

/** One masked component per trial: (c, v) for the owners' values β. */
function maskedViews(values: readonly number[], shiftBound: number, mode: MaskMode = 'component') {
  const rng = createCsprng()
  return Array.from({ length: trials }, () => {
    const { scale, shift } = drawComponentMasks(1, mode, rng, shiftBound)
    const c = scale[0]!
    return { c, v: values.map((b) => c * b + shift[0]!) }
  })
}

function histogram(samples: readonly number[], low: number, high: number, bins: number): number[] {
  const out = new Array<number>(bins).fill(0)
  for (const x of samples)
    out[Math.min(bins - 1, Math.floor(((x - low) / (high - low)) * bins))]! += 1
  return out
}

// Two worlds with the same differences between the three owners (what selection needs)
// but every value moved by δ: owner 0 holds −B in one and −B + δ in the other.
const worldA = [-B, -B + 0.3, -B + 0.5]
const delta = 2 * B - 0.5
const worldB = worldA.map((b) => b + delta)

/**
 * The best distinguisher, told c as well: in world A the first masked value minus c·β_A0
 * is d, uniform on [−D, D]; in world B it is d + c·δ. Only B reaches past D (or below −D
 * for c < 0). Its advantage is the statistical distance, E|c|·δ/(2D).
 */
function bestAdvantage(shiftBound: number): number {
  const guessedB = (views: ReturnType<typeof maskedViews>) =>
    views.filter(({ c, v }) => Math.abs(v[0]! - c * worldA[0]!) > shiftBound).length / trials
  return guessedB(maskedViews(worldB, shiftBound)) - guessedB(maskedViews(worldA, shiftBound))
}

let adult: Dataset
before(async () => {
  const full = await loadDataset(parseDatasetSpec('adult'), 1)
  const n = 3000
  adult = l2NormalizeRows({
    ...full.train,
    n,
    x: full.train.x.subarray(0, n * full.train.d),
    y: full.train.y.subarray(0, n),
  })
})

describe('MS-FL masks: what the requestor learns from one masked component', () => {
  it('d is sized to the values it hides: honest Adult gradients stay within ±B through training, and D leaves room for c·B at the last level', () => {
    assert.equal(D, 256, 'ckks-16384: 60-bit q_0, scale 2^50, D = 2^(60 − 50 − 2)')
    const decodable = 2 ** (ckks.coeffModulusBits[0]! - ckks.scaleBits - 1)
    assert.ok(2 * B + D < decodable / 1.9, `|c·β + d| ≤ ${2 * B + D} of ${decodable}`)
    const layout = createBlockLayout(adult.d, 64, ckks.slots)
    const shape = msflModelShape(adult)
    const rng = createSeededRng(3)
    const owners = [0, 1, 2, 3, 4].map((i) => {
      const rows = 600
      const data = {
        ...adult,
        n: rows,
        x: adult.x.subarray(i * rows * adult.d, (i + 1) * rows * adult.d),
        y: adult.y.subarray(i * rows, (i + 1) * rows),
      }
      return data
    })
    let weights: readonly Float64Array[] = [new Float64Array(layout.components)]
    let largest = 0
    for (let round = 0; round < 40; round++) {
      const batches = owners.map((data) => ({ data, rows: sampleBatch(data.n, 64, rng) }))
      for (const g of plainOwnerGradients(weights, batches, layout, shape))
        for (const v of g) largest = Math.max(largest, Math.abs(v))
      weights = plainMsflRound(weights, batches, layout, shape, {
        rule: createRobustRule('msfl', { f: 1 }),
        f: 1,
        minOwners: 2,
        learningRate: 8,
        weightDecay: 0.001,
      }).weights
    }
    assert.ok(largest <= B, `largest |β_j| ${largest} ≤ B = ${B}`)
    assert.ok(largest > B / 10, `${largest}: the bound is not vacuous`)
  })

  it("an owner's own value: even told c, the best distinguisher between two worlds with the same differences has advantage ≤ ε = E|c|·B/D", () => {
    assert.ok(Math.abs(epsilon - 0.0044) < 0.0001, `ε = ${epsilon}`)
    const advantage = bestAdvantage(D)
    const expected = (MEAN_MASK_SCALE * delta) / (2 * D)
    const sd = Math.sqrt(expected / trials)
    assert.ok(advantage <= epsilon + 4 * sd, `advantage ${advantage} > ε ${epsilon}`)
    assert.ok(Math.abs(advantage - expected) < 5 * sd, `advantage ${advantage}, theory ${expected}`)
    // Power: with the former d ∈ [−8, 8] the same distinguisher wins 30 times as often.
    const former = bestAdvantage(8)
    assert.ok(former > 20 * epsilon, `d ∈ [−8, 8]: advantage ${former}`)
  })

  it('a χ² distinguisher on the masked values (no c given) sees one distribution at D, and two at the former d ∈ [−8, 8]', () => {
    const chi = (shiftBound: number) => {
      const low = -shiftBound - 4
      const high = shiftBound + 4
      const first = (values: number[]) => maskedViews(values, shiftBound).map(({ v }) => v[0]!)
      return chiSquareSame(
        histogram(first(worldA), low, high, 64),
        histogram(first(worldB), low, high, 64),
      )
    }
    const atD = chi(D)
    assert.ok(atD < chiSquareCritical(63), `χ² ${atD} at D = ${D}`)
    const atFormer = chi(8)
    assert.ok(atFormer > chiSquareCritical(63), `χ² ${atFormer} at d ∈ [−8, 8]: the test has power`)
  })

  it('what it reveals: the differences between owners up to the factor c, so their order and distance ratios exactly and their spread within a factor 4', () => {
    const values = [0.12, -0.3, 0.05, 0.4]
    for (const { c, v } of maskedViews(values, D).slice(0, 1000)) {
      const ratio = (v[3]! - v[1]!) / (v[2]! - v[0]!)
      assert.ok(Math.abs(ratio - (0.4 + 0.3) / (0.05 - 0.12)) < 1e-9, 'distance ratios exact')
      assert.ok(Math.abs(v[1]! - v[0]! - c * (-0.3 - 0.12)) < 1e-9, 'differences scaled by c')
    }
    // Spread s against 2s: log₂|c·Δ| spans [log₂ Δ − 1, log₂ Δ + 1), so the best test wins half the time.
    const spread = (factor: number) =>
      maskedViews(
        values.map((b) => b * factor),
        D,
      ).map(({ v }) => Math.log2(Math.abs(v[3]! - v[1]!) / 0.7))
    const large = spread(2).filter((x) => x >= 1).length / trials
    const small = spread(1).filter((x) => x >= 1).length / trials
    assert.ok(Math.abs(large - small - 0.5) < 0.02, `advantage ${large - small}`)
  })

  it("with the round's aggregate the requestor pins every owner's value to mean + Δ/c: its distance from the selected mean within a factor 4, its side hidden by the sign of c", () => {
    const values = [0.12, -0.3, 0.05, 0.4]
    const mean = values.reduce((s, b) => s + b, 0) / values.length
    let sideRight = 0
    const views = maskedViews(values, D, 'global-scale')
    for (const { v } of views) {
      const masked = v.reduce((s, x) => s + x, 0) / v.length
      values.forEach((b, i) => {
        // What the requestor computes: the aggregate's mean and the masked deviation.
        const deviation = v[i]! - masked
        const distance = Math.abs(b - mean)
        assert.ok(
          distance >= Math.abs(deviation) / 2 - 1e-12 &&
            distance <= 2 * Math.abs(deviation) + 1e-12,
        )
      })
      // Guessing that owner 3 lies above the mean from the sign of its masked deviation.
      if (v[3]! - masked > 0) sideRight++
    }
    assert.ok(Math.abs(sideRight / trials - 0.5) < 0.02, `side guessed ${sideRight / trials}`)
  })
})
