import { MsflError } from '../errors/msflError.ts'

export interface ScreeningResult {
  /** Indices of usable updates, ascending. */
  readonly accepted: number[]
  readonly rejected: { index: number; reason: string }[]
}

/**
 * Drops updates no rule can use: wrong length or any NaN / ±Infinity. The runtime
 * calls this before any rule so one malformed update costs its sender the round
 * instead of aborting aggregation for everyone. Without `expectedLength` the
 * reference length is the most common one (ties: the smallest), so a single
 * attacker sending a longer vector first cannot redefine the model size.
 */
export function screenUpdates(
  updates: readonly Float64Array[],
  expectedLength?: number,
): ScreeningResult {
  const length = expectedLength ?? mostCommonLength(updates)
  const accepted: number[] = []
  const rejected: { index: number; reason: string }[] = []
  for (let i = 0; i < updates.length; i++) {
    const u = updates[i]!
    if (u.length !== length) {
      rejected.push({ index: i, reason: `has ${u.length} values, expected ${length}` })
      continue
    }
    const bad = firstNonFinite(u)
    if (bad >= 0) rejected.push({ index: i, reason: `component ${bad} is ${describe(u[bad]!)}` })
    else accepted.push(i)
  }
  return { accepted, rejected }
}

/**
 * Throws PROTOCOL naming the first non-finite value. Rules call it as defence in
 * depth: one NaN would otherwise poison every mean and make comparisons lie.
 */
export function assertFiniteUpdates(updates: readonly Float64Array[]): void {
  for (let i = 0; i < updates.length; i++) {
    const bad = firstNonFinite(updates[i]!)
    if (bad >= 0)
      throw new MsflError(
        'PROTOCOL',
        `update ${i} component ${bad} is ${describe(updates[i]![bad]!)}`,
      )
  }
}

/**
 * The checks every rule starts with: at least one update, equal lengths, finite
 * values. Returns the common length.
 */
export function checkUpdates(rule: string, updates: readonly Float64Array[]): number {
  assertSomeUpdates(rule, updates)
  const length = updates[0]!.length
  for (let i = 1; i < updates.length; i++)
    if (updates[i]!.length !== length)
      throw new MsflError(
        'PROTOCOL',
        `${rule}: update ${i} has ${updates[i]!.length} values, expected ${length}`,
      )
  assertFiniteUpdates(updates)
  return length
}

/** An empty round is a protocol problem, not a tolerance problem: say so before checking n against f. */
export function assertSomeUpdates(rule: string, updates: readonly Float64Array[]): void {
  if (updates.length === 0) throw new MsflError('PROTOCOL', `${rule}: no updates to aggregate`)
}

function firstNonFinite(u: Float64Array): number {
  // x·0 is 0 for finite x and NaN for NaN or ±Infinity, so one branch-free pass
  // decides the common all-finite case; only a bad vector is scanned again.
  let probe = 0
  for (let j = 0; j < u.length; j++) probe += u[j]! * 0
  if (probe === 0) return -1
  for (let j = 0; j < u.length; j++) if (!Number.isFinite(u[j]!)) return j
  return -1
}

function describe(x: number): string {
  return Number.isNaN(x) ? 'NaN' : x > 0 ? '+Infinity' : '-Infinity'
}

function mostCommonLength(updates: readonly Float64Array[]): number {
  const counts = new Map<number, number>()
  for (const u of updates) counts.set(u.length, (counts.get(u.length) ?? 0) + 1)
  let best = 0
  let bestCount = 0
  for (const [length, count] of counts)
    if (count > bestCount || (count === bestCount && length < best)) {
      best = length
      bestCount = count
    }
  return best
}
