/**
 * The accuracy a model needs in a verification round: the absolute floor, or the
 * median of the round's opened accuracies minus `drop`, whichever is higher. The
 * median follows the honest majority as training progresses (an absolute floor alone
 * lets noise through while every model is still weak, and shuts honest models out
 * when it is set too high); below-median poisoned models fall out. Every node applies
 * it to the same opened counts, so all honest nodes decide the same. `drop` 0 turns the
 * relative floor off.
 */
export function acceptanceThreshold(
  accuracies: readonly number[],
  threshold: number,
  drop: number,
): number {
  if (accuracies.length === 0 || drop <= 0) return threshold
  const sorted = [...accuracies].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
  return Math.max(threshold, median - drop)
}
