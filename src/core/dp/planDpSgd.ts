import { MsflError } from '../errors/msflError.ts'
import { type DpBudget, findNoiseMultiplier } from './findNoiseMultiplier.ts'

/** The local-training settings of a round that matter for privacy. */
export interface DpSgdTraining {
  readonly epochs: number
  /** Expected Poisson batch size B. */
  readonly batchSize: number
}

export interface DpSgdRoundPlan {
  /** q = min(1, B/n). */
  readonly samplingRate: number
  /** epochs × ⌈n/B⌉: an "epoch" is as many steps as a plain SGD epoch would take. */
  readonly steps: number
}

/** How many DP-SGD steps a round takes at which sampling rate, for an owner with n rows. */
export function planDpSgdRound(n: number, training: DpSgdTraining): DpSgdRoundPlan {
  if (!Number.isInteger(n) || n < 1) throw invalid(`n must be an integer >= 1, got ${n}`)
  const { epochs, batchSize } = training
  if (!Number.isInteger(epochs) || epochs < 1)
    throw invalid(`epochs must be an integer >= 1, got ${epochs}`)
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw invalid(`batchSize must be an integer >= 1, got ${batchSize}`)
  return {
    samplingRate: Math.min(1, batchSize / n),
    steps: epochs * Math.ceil(n / batchSize),
  }
}

/**
 * One owner's DP-SGD: its rows, local training and rounds, under a budget (`prior` holds
 * what it released before training, e.g. its noisy feature statistics, charged first).
 */
export interface DpSgdCalibration extends DpBudget {
  /** Rows of the data owner. */
  readonly n: number
  readonly training: DpSgdTraining
  /** Federated rounds the owner will train in. */
  readonly rounds: number
}

/**
 * The noise multiplier that lets an owner with n rows train `rounds` rounds of
 * `training` and end at ε ≤ targetEpsilon. Each owner calibrates for its own n (its
 * own q and step count); owners hold disjoint data, so the run's guarantee is the
 * largest owner ε (parallel composition), not their sum.
 */
export function calibrateDpSgd(c: DpSgdCalibration): number {
  if (!Number.isInteger(c.rounds) || c.rounds < 1)
    throw invalid(`rounds must be an integer >= 1, got ${c.rounds}`)
  const round = planDpSgdRound(c.n, c.training)
  return findNoiseMultiplier({
    targetEpsilon: c.targetEpsilon,
    delta: c.delta,
    samplingRate: round.samplingRate,
    steps: round.steps * c.rounds,
    ...(c.orders ? { orders: c.orders } : {}),
    ...(c.conversion ? { conversion: c.conversion } : {}),
    ...(c.prior ? { prior: c.prior } : {}),
  })
}

function invalid(message: string): MsflError {
  return new MsflError('CONFIG_INVALID', `DP-SGD: ${message}`)
}
