import type { Dataset } from '../../core/data/dataset.ts'
import type { PrivacySpent } from '../../core/deploy/deploymentMessages.ts'
import type { DpTrainingClient } from '../../core/dp/createDpTrainingClient.ts'
import { STATISTICS_NOISE_MULTIPLIER, STATISTICS_RELEASE } from '../../core/dp/statisticsRelease.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import { createTrainingClient } from '../../core/fl/createTrainingClient.ts'
import type { Model } from '../../core/model/model.ts'
import type { MessageHandler } from '../../core/ports/transport.ts'
import type { DpPart } from '../../core/privacy/parsePrivacySpec.ts'
import type { Rng } from '../../core/rng/rng.ts'
import type { StatisticsNoise } from '../../core/scaling/createScalingOwner.ts'
import type { ProtectedRunPlan } from '../config/planRun.ts'
import { createClientLevelRun } from '../privacy/createClientLevelRun.ts'
import { createDpOwners } from '../privacy/createDpOwners.ts'
import { trainingSeedOf } from './trainingSeedOf.ts'

/** A deployed data owner's differential privacy, as the job (kit-pinned) configures it. */
export interface OwnerDp {
  /**
   * `sample`: DP-SGD with the owner's own accountant; its feature statistics leave noised.
   * `client`: its clipped update (plus its noise share, distributed noise); no statistic of
   * its rows leaves, so it scales its features by the job's declared ranges.
   */
  readonly level: 'sample' | 'client'
  /** Sample level: the noise on its feature statistics (charged to its budget). */
  readonly statisticsNoise?: StatisticsNoise
  /**
   * The owner's trainer on its scaled rows; `statisticsReleased`: whether its noisy
   * statistics left it (composed into its accountant before the first round).
   */
  trainer(data: Dataset, statisticsReleased: boolean): MessageHandler
  /** Sample level: its (ε, δ) so far, for the provider's `privacy-spent-request`. */
  spent(): Omit<PrivacySpent, 'type' | 'runId' | 'clientId'> | undefined
}

/**
 * The owner side of `privacy: dp…` in a deployment, on the code a simulation runs: at sample
 * level the owner's DP-SGD client (createDpOwners: σ calibrated for its own row count so
 * that the job's rounds end at ε ≤ epsilon, every round refused that would pass it); at
 * client level the plain trainer behind DP-FedAvg's client wrapper (createClientLevelRun:
 * clip to S and, with distributed noise, add its share σS/√t), which also refuses a round
 * past the job's last or a second reply to the same round, so a provider cannot make it
 * release more than the job's budget covers. All noise is drawn from `noiseRng` (the
 * CSPRNG) in this process: the provider never draws an owner's noise.
 */
export function openOwnerDp(p: {
  readonly plan: ProtectedRunPlan
  readonly dp: DpPart
  readonly clientId: string
  /** The owner's row count: δ must be below 1/rows, checked before it joins the run. */
  readonly rows: number
  readonly model: Model
  readonly noiseRng: () => Rng
}): OwnerDp {
  const { plan, dp, clientId, model, noiseRng } = p
  const { basics, engine } = plan
  const run = { rounds: basics.rounds, training: engine.training, model, noiseRng }
  if (dp.options.level === 'client') {
    const clientLevel = createClientLevelRun({
      dp: dp.options,
      hiding: plan.privacy.hiding,
      minNoiseShares: plan.privacy.minNoiseShares,
      clients: basics.clients,
      rounds: basics.rounds,
      training: engine.training,
      honest: new Set([clientId]),
      noiseRng,
    })
    return {
      level: 'client',
      trainer: (data) =>
        onceARound(
          clientId,
          basics.rounds,
          clientLevel.wrapClient(
            createTrainingClient({ clientId, model, data, seed: trainingSeedOf(basics.seed) }),
          ),
        ),
      spent: () => undefined,
    }
  }
  const options = dp.options
  if (options.delta >= 1 / p.rows)
    throw new MsflError(
      'CONFIG_INVALID',
      `privacy: dp delta ${options.delta} is not below 1/rows = ${(1 / p.rows).toExponential(2)} for ${clientId}`,
    )
  let owner: DpTrainingClient | undefined
  return {
    level: 'sample',
    statisticsNoise: { multiplier: STATISTICS_NOISE_MULTIPLIER, rng: noiseRng() },
    trainer(data, statisticsReleased) {
      const prior = statisticsReleased ? [STATISTICS_RELEASE] : []
      owner = createDpOwners(options, run, [{ id: clientId, data }], prior).get(clientId)!
      return owner
    },
    spent() {
      if (!owner) return { epsilon: 0, delta: options.delta, rounds: [] }
      const spent = owner.spent()
      return {
        epsilon: spent.epsilon,
        delta: spent.delta,
        rounds: owner.history().map((r) => ({ round: r.round, epsilon: r.epsilon })),
      }
    },
  }
}

/**
 * Client level: each round is one release of the owner's clipped update; the accountant
 * (at the provider) counts at most the job's rounds, so the owner answers no round past
 * them and no round twice.
 */
function onceARound(clientId: string, rounds: number, inner: MessageHandler): MessageHandler {
  const answered = new Set<number>()
  return {
    async handle(message) {
      const m = message as { type?: unknown; round?: unknown } | null
      if (m?.type !== 'fit') return inner.handle(message)
      const round = m.round
      if (typeof round !== 'number' || !Number.isInteger(round) || round < 1 || round > rounds)
        return {
          type: 'error',
          clientId,
          message: `privacy: dp level=client: round ${String(round)} is not one of the job's ${rounds} rounds (the budget covers no more)`,
        }
      if (answered.has(round))
        return {
          type: 'error',
          clientId,
          message: `privacy: dp level=client: round ${round} was answered already (a second release is not in the budget)`,
        }
      answered.add(round)
      return inner.handle(message)
    },
  }
}
