import { assertUpdateCount } from './assertUpdateCount.ts'
import type { AggregationResult, RobustRule } from './robustRule.ts'
import { assertSomeUpdates } from './screenUpdates.ts'

/** Median and geometric median break down at one half: f < n/2. */
export function assertMajorityHonest(rule: string, n: number, f: number): void {
  assertUpdateCount(rule, n, f, 2 * f < n, 'n ≥ 2f + 1 (f < n/2)')
}

/** What a rule that breaks down at one half supplies; the checks come from majorityHonestRule. */
export interface MajorityHonestRuleParts {
  readonly name: string
  readonly citation: string
  /** Defaults to 'f < n/2'; a rule whose paper proves less says so here. */
  readonly tolerance?: string
  /** Combines updates already known to be non-empty and to hold an honest majority. */
  aggregate(updates: readonly Float64Array[]): AggregationResult
}

/**
 * The RobustRule of a Byzantine-robust rule that needs an honest majority (median,
 * geometric median, centered clipping, cosine clustering). Every aggregate first
 * rejects an empty round (a protocol problem) and then f ≥ n/2 (a tolerance
 * problem), in that order, so the error names the real cause.
 */
export function majorityHonestRule(parts: MajorityHonestRuleParts): RobustRule {
  const { name } = parts
  return {
    name,
    citation: parts.citation,
    tolerance: parts.tolerance ?? 'f < n/2',
    byzantineRobust: true,
    assertTolerates: (n, f) => assertMajorityHonest(name, n, f),
    aggregate: (input) => {
      assertSomeUpdates(name, input.updates)
      assertMajorityHonest(name, input.updates.length, input.f)
      return parts.aggregate(input.updates)
    },
  }
}
