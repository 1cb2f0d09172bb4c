/**
 * The share of sampled owners a robust rule assumes malicious when neither `--tolerate`
 * nor the rule's own `f=` says: f = floor(0.3 · n). A constant a deployment can know,
 * never the simulation's attacker list; declare your own with `--tolerate`. Rules that
 * cannot hold it (Bulyan needs n ≥ 4f + 3, under a quarter) are refused before round 1,
 * naming the requirement.
 */
export const DEFAULT_TOLERANCE = 0.3
