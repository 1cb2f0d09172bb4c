import { type DeviationMemory, foldExcess } from './persistentDeviation.ts'

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

/**
 * On by default: up to 3σ (the z threshold) of habit, after 3 unflagged rounds. Measured on
 * MNIST, 20 owners, Dirichlet 0.5, 4 attackers, seeds 42–44 (docs/adrm.md): false positives
 * 2.5 % clean and at most 6.7 % under attack, against 4.6 % and up to 10.8 % without, at equal
 * or better recall. `baseline=0` turns it off.
 */
export const DEFAULT_OWNER_BASELINE: OwnerBaselineConfig = { cap: 3, minRounds: 3 }

/**
 * The part of `detector`'s excess (σ on the suspicious side) an owner's own history excuses:
 * its habitual excess (the moving average over its earlier unflagged rounds, this one not
 * included),
 * clamped to [0, cap], once it has `minRounds` unflagged rounds; otherwise 0. Only a
 * habit on the suspicious side is subtracted: an owner that is usually typical gets no
 * credit for it.
 */
export function habitualExcess(
  memory: DeviationMemory | undefined,
  detector: string,
  config: OwnerBaselineConfig,
): number {
  const habit = memory?.habit
  if (config.cap <= 0 || habit === undefined || habit.rounds < config.minRounds) return 0
  return Math.min(config.cap, Math.max(0, habit.mean[detector] ?? 0))
}

/**
 * The memory to keep after this round's verdict: an unflagged round joins the owner's habit
 * (the moving average of its clipped excess, `weight` as for persistence); a flagged one does
 * not, so an attack caught from the first round never becomes the attacker's habit.
 */
export function learnHabit(
  memory: DeviationMemory,
  excess: Readonly<Record<string, number>>,
  flagged: boolean,
  weight: number,
): DeviationMemory {
  if (flagged) return memory
  const habit = memory.habit
  return {
    ...memory,
    habit: { mean: foldExcess(habit?.mean, excess, weight), rounds: (habit?.rounds ?? 0) + 1 },
  }
}
