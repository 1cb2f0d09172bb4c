import type { FitResult } from './messages.ts'
import type { AggregateOutcome, StrategyParameters } from './strategy.ts'
import { weightedAverage } from './weightedAverage.ts'

/**
 * Combines one round's updates (deltas from the global model, or gradients) with the
 * strategy's rule and translates the rule's choices back to client ids. Without a
 * rule it is FedAvg: the example-weighted mean.
 */
export function aggregateUpdates(
  updates: readonly Float64Array[],
  results: readonly FitResult[],
  aggregation: StrategyParameters['aggregation'],
  /** The aggregator's own update this round, for rules that need one (FLTrust). */
  reference?: Float64Array,
): { aggregate: Float64Array } & Omit<AggregateOutcome, 'params'> {
  const weights = results.map((r) => r.numExamples)
  if (!aggregation) return { aggregate: weightedAverage(updates, weights), excluded: [] }
  const n = updates.length
  const f = aggregation.assumedF(n)
  aggregation.rule.assertTolerates(n, f)
  const robustness = { n, f }
  const outcome = aggregation.rule.aggregate({
    updates,
    weights,
    f,
    ...(reference ? { reference } : {}),
  })
  const chosen = outcome.selected ? new Set(outcome.selected) : undefined
  const excluded = chosen ? results.filter((_, i) => !chosen.has(i)).map((r) => r.clientId) : []
  const selection = outcome.componentSelection
  if (!selection) return { aggregate: outcome.aggregate, excluded, robustness }
  const counts = new Array<number>(selection.t).fill(0)
  for (let j = 0; j < selection.components; j++)
    for (let i = 0; i < selection.t; i++) counts[i]! += selection.selected[j * selection.t + i]!
  const selectionShare = Object.fromEntries(
    results.map((r, i) => [r.clientId, counts[i]! / selection.components]),
  )
  return { aggregate: outcome.aggregate, excluded, selectionShare, robustness }
}
