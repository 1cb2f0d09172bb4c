import { MsflError } from '../errors/msflError.ts'
import { aggregateUpdates } from './aggregateUpdates.ts'
import type { FitResult } from './messages.ts'
import type { StrategyParameters } from './strategy.ts'
import { vectorDifference } from './vectorDifference.ts'

/**
 * What every strategy that trains locally does first: turn each client's trained
 * parameters into its change from the global model and combine the changes (the
 * example-weighted mean, or the robust rule, which is defined on changes, not on raw
 * parameters). `protocol` names the strategy in the error a gradient reply gets.
 */
export function aggregateChanges(
  protocol: string,
  params: Float64Array,
  results: readonly FitResult[],
  aggregation: StrategyParameters['aggregation'],
): ReturnType<typeof aggregateUpdates> {
  const changes = results.map((r) => {
    if (r.kind !== 'params')
      throw new MsflError(
        'PROTOCOL',
        `${protocol} expected parameters from ${r.clientId}, got a ${r.kind}`,
      )
    return vectorDifference(r.vector, params)
  })
  return aggregateUpdates(changes, results, aggregation, aggregation?.reference?.(params))
}
