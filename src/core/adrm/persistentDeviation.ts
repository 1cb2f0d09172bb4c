import type { DetectionReason } from '../events/runEvent.ts'

/** What ADRM remembers of one client: per detector, a moving average of its excess. */
export interface DeviationMemory {
  /** Exponentially weighted mean of the excess (σ in the suspicious direction), per detector. */
  readonly mean: Readonly<Record<string, number>>
  /** Rounds remembered. */
  readonly rounds: number
  /**
   * The owner's habit (ownerBaseline.ts): the same moving average, but of its unflagged
   * rounds only, so a deviation that was caught never becomes what it usually does.
   */
  readonly habit?: { readonly mean: Readonly<Record<string, number>>; readonly rounds: number }
  /** Rounds in which this client's update was flagged. */
  readonly flagged?: number
}

/**
 * Settings of the persistence detector, which flags clients whose deviation stays high over several
 * rounds.
 */
export interface PersistenceConfig {
  /** Moving-average threshold in σ; 0 disables the detector. */
  readonly threshold: number
  /** Weight of the newest round in the moving average (0.3: about the last 3–5 rounds count). */
  readonly weight: number
  /** Rounds a client must have been seen in before it can be found persistent. */
  readonly minRounds: number
  /**
   * Probation: a client flagged in an earlier round is judged persistent from its next
   * inspected round. `minRounds` protects a newcomer from being judged on one round; a
   * client caught before has given its evidence, and its first round back (after a
   * block) is otherwise inspected as if it were new.
   */
  readonly afterFlag: boolean
}

export const DEFAULT_PERSISTENCE: PersistenceConfig = {
  threshold: 2,
  weight: 0.3,
  minRounds: 3,
  afterFlag: true,
}

/**
 * Folds one round's excess per detector into a client's memory; the first round
 * starts the average. The caller clips the excess (detectUpdates: at the high band,
 * 6σ), so a single extreme round fades within a few rounds.
 */
export function rememberDeviation(
  previous: DeviationMemory | undefined,
  excess: Readonly<Record<string, number>>,
  weight: number,
): DeviationMemory {
  const mean = foldExcess(previous?.mean, excess, weight)
  const rounds = (previous?.rounds ?? 0) + 1
  return {
    mean,
    rounds,
    ...(previous?.habit ? { habit: previous.habit } : {}),
    ...(previous?.flagged ? { flagged: previous.flagged } : {}),
  }
}

/** Per detector: (1 − weight)·before + weight·value, or value where there is no before. */
export function foldExcess(
  before: Readonly<Record<string, number>> | undefined,
  excess: Readonly<Record<string, number>>,
  weight: number,
): Record<string, number> {
  const mean: Record<string, number> = {}
  for (const [detector, value] of Object.entries(excess)) {
    const old = before?.[detector]
    mean[detector] = old === undefined ? value : (1 - weight) * old + weight * value
  }
  return mean
}

/**
 * Persistent deviation: a client whose updates sit on the same suspicious side of
 * the crowd round after round, each time below the per-round threshold. Against an
 * attacker who keeps every update under 3σ the per-round detectors are blind by
 * construction; the moving average of its excess is not, because honest clients'
 * excess changes sign from round to round (in IID data) and averages towards 0, while
 * a steady push does not. Medium on its own: it needs a second detector for high.
 */
export function persistentFindings(
  memory: DeviationMemory,
  config: PersistenceConfig,
  /** Per detector, the σ the owner's own habit excuses (ownerBaseline.ts); none: 0. */
  habits: Readonly<Record<string, number>> = {},
): DetectionReason[] {
  if (config.threshold <= 0) return []
  const onProbation = config.afterFlag && (memory.flagged ?? 0) > 0
  if (memory.rounds < config.minRounds && !onProbation) return []
  return Object.entries(memory.mean)
    .map(([detector, mean]) => [detector, mean - (habits[detector] ?? 0)] as const)
    .filter(([, mean]) => mean >= config.threshold)
    .map(([detector, mean]) => ({
      detector: `persistent-${detector}`,
      value: mean,
      threshold: config.threshold,
      severity: 'medium' as const,
      detail: `${detector} has averaged ${Number(mean.toPrecision(4))}σ on the suspicious side over this client's last ${memory.rounds} rounds (moving average)`,
    }))
}
