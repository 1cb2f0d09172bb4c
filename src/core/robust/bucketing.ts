import { MsflError } from '../errors/msflError.ts'
import type { Rng } from '../rng/rng.ts'
import { shuffleInPlace } from '../rng/seededRng.ts'
import { assertValidF } from './assertUpdateCount.ts'
import type { AggregationResult, RobustRule } from './robustRule.ts'
import { assertSomeUpdates, checkUpdates } from './screenUpdates.ts'

export const BUCKETING_CITATION =
  'Karimireddy, He, Jaggi, "Byzantine-Robust Learning on Heterogeneous Datasets via Bucketing", ICLR 2022'

/** What bucketing wraps and how it draws its buckets. */
export interface BucketingOptions {
  /** Bucket size s ≥ 1 (s = 1: the inner rule on a random order of the updates). */
  readonly bucketSize: number
  /** The robust rule run on the bucket means. */
  readonly inner: RobustRule
  /**
   * Where the random permutation comes from. The buckets are a protocol choice an attacker must
   * not predict: the runtime's CSPRNG in a deployment, a seeded Rng only in a simulation.
   */
  readonly rng: Rng
}

/** ⌈n/s⌉: the number of buckets n updates fill. */
export function bucketCount(n: number, bucketSize: number): number {
  return Math.ceil(n / bucketSize)
}

/**
 * Bucketing (Karimireddy, He, Jaggi, ICLR 2022): shuffle the n updates with `rng`, average
 * them in ⌈n/s⌉ buckets of s (the last may hold fewer), and combine the bucket means with the
 * inner rule. Averaging s honest updates shrinks their spread by up to √s, which is what
 * lets median, Krum or centred clipping tell honest-but-different (non-IID) owners from
 * attackers; the price is that one attacker spoils its whole bucket, so the inner rule must
 * tolerate min(f, buckets) spoiled bucket means (the paper asks s·f/n ≤ 1/2 of the inner rule).
 *
 * `selected` (when the inner rule reports one) lists every update of a selected bucket.
 */
export function bucketing(
  updates: readonly Float64Array[],
  f: number,
  options: BucketingOptions,
  /** Passed on to the inner rule (FLTrust's server update). */
  reference?: Float64Array,
): AggregationResult {
  const length = checkUpdates('bucketing', updates)
  const { bucketSize: s, inner } = options
  assertBucketSize(s)
  const n = updates.length
  const order = shuffleInPlace(
    Array.from({ length: n }, (_, i) => i),
    options.rng,
  )
  const buckets: number[][] = []
  for (let start = 0; start < n; start += s) buckets.push(order.slice(start, start + s))
  const means = buckets.map((members) => {
    const mean = new Float64Array(length)
    for (const i of members) {
      const u = updates[i]!
      for (let j = 0; j < length; j++) mean[j]! += u[j]!
    }
    for (let j = 0; j < length; j++) mean[j]! /= members.length
    return mean
  })
  const result = inner.aggregate({
    updates: means,
    f: spoiledBuckets(n, s, f),
    ...(reference ? { reference } : {}),
  })
  if (!result.selected) return { aggregate: result.aggregate }
  const selected = result.selected.flatMap((b) => buckets[b]!).sort((a, b) => a - b)
  return { aggregate: result.aggregate, selected }
}

/** At most one bucket per attacker is spoiled, and never more buckets than there are. */
function spoiledBuckets(n: number, bucketSize: number, f: number): number {
  return Math.min(f, bucketCount(n, bucketSize))
}

function assertBucketSize(s: number): void {
  if (!Number.isInteger(s) || s < 1)
    throw new MsflError(
      'CONFIG_INVALID',
      `bucketing: s (bucket size) must be a positive integer; got ${s}`,
    )
}

/**
 * The rule object: bucketing in front of `inner`. It tolerates f among n when the inner rule
 * tolerates min(f, ⌈n/s⌉) among the ⌈n/s⌉ bucket means: e.g. s = 2 before median holds
 * f ≤ 4 of 20 (10 buckets, median needs ≥ 2f + 1), so bucketing trades tolerance for
 * robustness to heterogeneity.
 */
export function createBucketingRule(options: BucketingOptions): RobustRule {
  assertBucketSize(options.bucketSize)
  const { inner, bucketSize } = options
  const assertTolerates = (n: number, f: number) => {
    assertValidF('bucketing', f)
    try {
      inner.assertTolerates(bucketCount(n, bucketSize), spoiledBuckets(n, bucketSize, f))
    } catch (error) {
      if (!(error instanceof MsflError)) throw error
      throw new MsflError(
        'CONFIG_INVALID',
        `bucketing:s=${bucketSize} before ${inner.name}: n = ${n} updates make ${bucketCount(n, bucketSize)} buckets, up to ${spoiledBuckets(n, bucketSize, f)} of them spoiled by f = ${f}; ${error.message}`,
      )
    }
  }
  return {
    name: 'bucketing',
    citation: BUCKETING_CITATION,
    tolerance: `the inner rule (${inner.name}: ${inner.tolerance}) over ⌈n/${bucketSize}⌉ bucket means with min(f, buckets) spoiled`,
    byzantineRobust: inner.byzantineRobust,
    assertTolerates,
    aggregate: (input) => {
      assertSomeUpdates('bucketing', input.updates)
      assertTolerates(input.updates.length, input.f)
      return bucketing(input.updates, input.f, options, input.reference)
    },
  }
}
