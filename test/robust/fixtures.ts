import assert from 'node:assert/strict'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'

export const vec = (...values: number[]) => Float64Array.from(values)

/** Updates from rows of numbers. */
export const updatesOf = (...rows: number[][]) => rows.map((r) => Float64Array.from(r))

export type OutlierKind = 'huge' | 'tiny' | 'random direction' | 'mixed'
export const OUTLIER_KINDS: readonly OutlierKind[] = ['huge', 'tiny', 'random direction', 'mixed']

export interface Scenario {
  readonly updates: Float64Array[]
  /** Indices of the honest updates. */
  readonly honest: number[]
  /** Per-coordinate minimum and maximum over the honest updates. */
  readonly lo: Float64Array
  readonly hi: Float64Array
}

/**
 * 10 honest updates spread uniformly in the box [1, 3] × [−2, 0] × … (coordinate j
 * in [j % 3 − 1, j % 3 + 1] shifted), plus f outliers at scattered indices:
 * every coordinate 1e30 ('huge'), −1e30 ('tiny'), 1e6 along a random unit
 * direction ('random direction'), or alternating huge and tiny ('mixed').
 */
export function scenario(kind: OutlierKind, f: number, dim = 8, seed = 7): Scenario {
  const rng = createSeededRng(seed)
  const honestRows = Array.from({ length: 10 }, () =>
    Float64Array.from({ length: dim }, (_, j) => (j % 3) - 1 + 2 * rng.next()),
  )
  const outlier = (k: number): Float64Array => {
    if (kind === 'huge' || (kind === 'mixed' && k % 2 === 0))
      return new Float64Array(dim).fill(1e30)
    if (kind === 'tiny' || kind === 'mixed') return new Float64Array(dim).fill(-1e30)
    const u = Float64Array.from({ length: dim }, () => rng.normal())
    const norm = Math.hypot(...u)
    return u.map((x) => (1e6 * x) / norm)
  }
  // Outliers go to positions 0, 5, 10, …: neither all first nor all last.
  const updates: Float64Array[] = []
  const honest: number[] = []
  let h = 0
  let o = 0
  while (h < honestRows.length || o < f) {
    if (o < f && updates.length % 5 === 0) updates.push(outlier(o++))
    else if (h < honestRows.length) {
      honest.push(updates.length)
      updates.push(honestRows[h++]!)
    } else updates.push(outlier(o++))
  }
  const lo = Float64Array.from({ length: dim }, (_, j) => Math.min(...honestRows.map((r) => r[j]!)))
  const hi = Float64Array.from({ length: dim }, (_, j) => Math.max(...honestRows.map((r) => r[j]!)))
  return { updates, honest, lo, hi }
}

/** Whether every coordinate lies in [lo − slack, hi + slack]; slack absorbs rounding of means. */
export function withinBox(
  x: Float64Array,
  lo: Float64Array,
  hi: Float64Array,
  slack = 1e-9,
): boolean {
  return x.every((v, j) => v >= lo[j]! - slack && v <= hi[j]! + slack)
}

/** Element-wise |actual − expected| ≤ tolerance·max(1, |expected|). */
export function assertNear(
  actual: ArrayLike<number>,
  expected: readonly number[],
  tolerance = 1e-12,
): void {
  assert.equal(actual.length, expected.length, 'length')
  for (let j = 0; j < expected.length; j++) {
    const e = expected[j]!
    const a = actual[j]!
    assert.ok(
      Math.abs(a - e) <= tolerance * Math.max(1, Math.abs(e)),
      `component ${j}: got ${a}, expected ${e}`,
    )
  }
}
