import type { DeviationMemory } from './persistentDeviation.ts'

/**
 * Per-owner baselines: how far an owner's own history may excuse its deviation from the crowd.
 * With non-IID data an honest owner's updates sit on the same side of the round's median
 * round after round (its labels differ, so its direction does too); measured against the
 * crowd alone it looks like an attacker every round. Measured against its own history it
 * does not: what it usually does is what its data makes it do.
 */
export interface OwnerBaselineConfig {
  /**
   * The most σ an owner's habit can excuse, per detector; 0 turns baselines off. A cap keeps
   * a gross attack (a sign flip, Gaussian noise, a scaled update: tens of σ) visible even
   * from an owner that attacked from its first round and so made the attack its habit.
   */
  readonly cap: number
  /** Rounds of history an owner needs before its habit counts. */
  readonly minRounds: number
}

/** Baselines off: every owner is measured against the crowd only. */
export const NO_OWNER_BASELINE: OwnerBaselineConfig = { cap: 0, minRounds: 3 }

/**
 * The part of `detector`'s excess (σ on the suspicious side) an owner's own history excuses:
 * its habitual excess (the persistence detector's moving average over earlier rounds, this
 * one not included),
 * clamped to [0, cap], once it has `minRounds` rounds of history; otherwise 0. Only a
 * habit on the suspicious side is subtracted: an owner that is usually typical gets no
 * credit for it.
 */
export function habitualExcess(
  memory: DeviationMemory | undefined,
  detector: string,
  config: OwnerBaselineConfig,
): number {
  if (config.cap <= 0 || memory === undefined || memory.rounds < config.minRounds) return 0
  // The persistence memory is the habit: the same moving average of the clipped excess.
  const typical = memory.mean[detector] ?? 0
  return Math.min(config.cap, Math.max(0, typical))
}
