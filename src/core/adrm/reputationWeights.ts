/**
 * Aggregation weights scaled by reputation: nᵢ × rᵢ / rMax, so a client with full
 * reputation counts with its example count as in FedAvg and a client that has lost
 * reputation counts proportionally less (a recently unblocked attacker with 50 counts
 * half). Weights are fractional; a client at reputation 0 has weight 0, and when every
 * weight is 0 the caller has nothing to aggregate.
 */
export function reputationWeights(
  entries: readonly { readonly numExamples: number; readonly reputation: number }[],
  maxReputation = 100,
): number[] {
  return entries.map((e) => e.numExamples * Math.max(0, Math.min(1, e.reputation / maxReputation)))
}
