import { MsflError } from '../errors/msflError.ts'
import type { Rng } from '../rng/rng.ts'

export const ISOLATION_FOREST_CITATION =
  'Liu, Ting, Zhou, "Isolation Forest", ICDM 2008; "Isolation-based anomaly detection", ACM TKDD 2012'

/** One tree, nodes in flat arrays (node 0 is the root); a leaf has feature −1. */
export interface IsolationTree {
  readonly feature: Int32Array
  readonly split: Float64Array
  readonly left: Int32Array
  readonly right: Int32Array
  /** Training rows that ended in each leaf (the path length adds c(size) there). */
  readonly size: Int32Array
}

export interface IsolationForest {
  readonly trees: readonly IsolationTree[]
  /** ψ, the rows each tree was grown on. */
  readonly sampleSize: number
  /** Columns of every row. */
  readonly features: number
  /** Rows the forest was fitted on. */
  readonly trainedOn: number
}

export interface IsolationForestOptions {
  /** Number of trees t (the paper's default is 100). */
  readonly trees: number
  /** Subsample size ψ per tree (the paper's default is 256; capped at the row count). */
  readonly sampleSize: number
}

const EULER_GAMMA = 0.5772156649015329

/**
 * c(n) = 2H(n − 1) − 2(n − 1)/n: the average path length of an unsuccessful search
 * in a binary search tree of n keys, i.e. the expected depth at which a random split
 * isolates a point among n. It normalises path lengths so scores compare across ψ.
 */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0
  if (n === 2) return 1
  return 2 * (Math.log(n - 1) + EULER_GAMMA) - (2 * (n - 1)) / n
}

/**
 * Fits an Isolation Forest (Liu et al. 2008): each tree splits a random subsample of
 * ψ rows on a random feature at a uniformly random value between that feature's
 * minimum and maximum, until a row is alone or the height limit ⌈log₂ ψ⌉ is reached.
 * Anomalies are few and different, so random splits isolate them near the root.
 *
 * Features that are constant within a node are never chosen there (a split on them
 * separates nothing); a node where every feature is constant is a leaf. The Rng is
 * the caller's seeded generator: the forest is a detector, not a secret, and a seed
 * makes it reproducible.
 */
export function fitIsolationForest(
  rows: readonly ArrayLike<number>[],
  options: IsolationForestOptions,
  rng: Rng,
): IsolationForest {
  const count = rows.length
  if (count === 0) throw new MsflError('PROTOCOL', 'isolation forest: no rows to fit')
  const features = rows[0]!.length
  if (features === 0) throw new MsflError('PROTOCOL', 'isolation forest: rows have no features')
  const data = new Float64Array(count * features)
  for (let r = 0; r < count; r++) {
    const row = rows[r]!
    if (row.length !== features)
      throw new MsflError(
        'PROTOCOL',
        `isolation forest: row ${r} has ${row.length} features, expected ${features}`,
      )
    for (let f = 0; f < features; f++) {
      const value = row[f]!
      if (!Number.isFinite(value))
        throw new MsflError('PROTOCOL', `isolation forest: row ${r} feature ${f} is ${value}`)
      data[r * features + f] = value
    }
  }
  const sampleSize = Math.max(1, Math.min(Math.floor(options.sampleSize), count))
  const heightLimit = Math.ceil(Math.log2(Math.max(2, sampleSize)))
  const all = new Int32Array(count)
  const trees: IsolationTree[] = []
  for (let t = 0; t < options.trees; t++) {
    for (let i = 0; i < count; i++) all[i] = i
    // Partial Fisher–Yates: the first ψ entries become a sample without replacement.
    for (let i = 0; i < sampleSize; i++) {
      const j = i + rng.nextInt(count - i)
      const swap = all[i]!
      all[i] = all[j]!
      all[j] = swap
    }
    trees.push(growTree(data, features, all.slice(0, sampleSize), heightLimit, rng))
  }
  return { trees, sampleSize, features, trainedOn: count }
}

/**
 * The anomaly score s = 2^(−E[h(x)] / c(ψ)) in (0, 1): near 1 for points isolated
 * after few splits, about 0.5 or below for ordinary points. h(x) is the depth at
 * which x reaches a leaf plus c(leaf size) for the rows it did not separate.
 */
export function isolationScore(forest: IsolationForest, row: ArrayLike<number>): number {
  if (row.length !== forest.features)
    throw new MsflError(
      'PROTOCOL',
      `isolation forest: row has ${row.length} features, the forest ${forest.features}`,
    )
  const normaliser = averagePathLength(forest.sampleSize)
  if (normaliser === 0) return 0.5
  let total = 0
  for (const tree of forest.trees) {
    let node = 0
    let depth = 0
    while (tree.feature[node]! >= 0) {
      node = row[tree.feature[node]!]! < tree.split[node]! ? tree.left[node]! : tree.right[node]!
      depth++
    }
    total += depth + averagePathLength(tree.size[node]!)
  }
  return 2 ** -(total / forest.trees.length / normaliser)
}

function growTree(
  data: Float64Array,
  features: number,
  indices: Int32Array,
  heightLimit: number,
  rng: Rng,
): IsolationTree {
  const feature: number[] = []
  const split: number[] = []
  const left: number[] = []
  const right: number[] = []
  const size: number[] = []
  const lows = new Float64Array(features)
  const highs = new Float64Array(features)
  const candidates = new Int32Array(features)

  const build = (from: number, to: number, depth: number): number => {
    const node = feature.length
    feature.push(-1)
    split.push(0)
    left.push(-1)
    right.push(-1)
    size.push(to - from)
    if (to - from <= 1 || depth >= heightLimit) return node
    lows.fill(Infinity)
    highs.fill(-Infinity)
    for (let k = from; k < to; k++) {
      const base = indices[k]! * features
      for (let f = 0; f < features; f++) {
        const v = data[base + f]!
        if (v < lows[f]!) lows[f] = v
        if (v > highs[f]!) highs[f] = v
      }
    }
    let usable = 0
    for (let f = 0; f < features; f++) if (highs[f]! > lows[f]!) candidates[usable++] = f
    if (usable === 0) return node
    const f = candidates[rng.nextInt(usable)]!
    const low = lows[f]!
    const high = highs[f]!
    // Strictly inside (low, high], so both sides get at least one row.
    let value = low + rng.next() * (high - low)
    if (!(value > low)) value = high
    // Partition indices[from..to) in place: values < split first.
    let middle = from
    for (let k = from; k < to; k++) {
      const index = indices[k]!
      if (data[index * features + f]! < value) {
        indices[k] = indices[middle]!
        indices[middle] = index
        middle++
      }
    }
    feature[node] = f
    split[node] = value
    left[node] = build(from, middle, depth + 1)
    right[node] = build(middle, to, depth + 1)
    return node
  }
  build(0, indices.length, 0)
  return {
    feature: Int32Array.from(feature),
    split: Float64Array.from(split),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    size: Int32Array.from(size),
  }
}
