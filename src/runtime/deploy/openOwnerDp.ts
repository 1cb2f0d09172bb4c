import { constantTimeEqual } from '../../core/crypto/constantTimeEqual.ts'
import type { Dataset } from '../../core/data/dataset.ts'
import type { PrivacySpent } from '../../core/deploy/deploymentMessages.ts'
import type { DpTrainingClient } from '../../core/dp/createDpTrainingClient.ts'
import { restoreReleases } from '../../core/dp/privacyRelease.ts'
import { STATISTICS_NOISE_MULTIPLIER, STATISTICS_RELEASE } from '../../core/dp/statisticsRelease.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import { createTrainingClient } from '../../core/fl/createTrainingClient.ts'
import type { Model } from '../../core/model/model.ts'
import type { PrivacyLedger } from '../../core/ports/privacyLedger.ts'
import type { MessageHandler } from '../../core/ports/transport.ts'
import type { DpPart } from '../../core/privacy/parsePrivacySpec.ts'
import type { Rng } from '../../core/rng/rng.ts'
import type { StatisticsNoise } from '../../core/scaling/createScalingOwner.ts'
import { encodeMessage } from '../../core/wire/encodeMessage.ts'
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
   * Sample level: records the statistics release in the privacy ledger (once) before any
   * message of the scaling agreement is answered, so that the release is on disk before
   * it can leave (recorded even if it then does not: an overcount is safe).
   */
  beforeStatistics(): Promise<void>
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
  readonly runId: string
  readonly plan: ProtectedRunPlan
  readonly dp: DpPart
  readonly clientId: string
  /** The owner's row count: δ must be below 1/rows, checked before it joins the run. */
  readonly rows: number
  readonly model: Model
  readonly noiseRng: () => Rng
  /**
   * The owner's durable record of its releases (openPrivacyLedger): what a previous process
   * of this owner released is composed into its accountant (sample level) or is a round it
   * answered (client level), and every release is recorded before it leaves.
   */
  readonly ledger: PrivacyLedger
}): OwnerDp {
  const { runId, plan, dp, clientId, model, noiseRng, ledger } = p
  const restored = restoreReleases(ledger.releases())
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
      beforeStatistics: async () => {},
      trainer: (data) =>
        onceARound(
          { runId, clientId, rounds: basics.rounds, ledger, answered: restored.clientRounds },
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
  // Every message of the scaling agreement asks: the ledger is read once, at the start.
  let statisticsRecorded = restored.statistics !== undefined
  return {
    level: 'sample',
    statisticsNoise: { multiplier: STATISTICS_NOISE_MULTIPLIER, rng: noiseRng() },
    async beforeStatistics() {
      if (statisticsRecorded) return
      await ledger.record({ v: 1, runId, clientId, kind: 'statistics', ...STATISTICS_RELEASE })
      statisticsRecorded = true
    },
    trainer(data, statisticsReleased) {
      // The noise is calibrated as the first process calibrated it (the job, the rows and
      // the statistics release); the rounds a previous process released are spent already.
      const released = statisticsReleased || restored.statistics !== undefined
      const prior = released ? [STATISTICS_RELEASE] : []
      const past = restored.rounds.map(({ steps, mechanism }) => ({ steps, mechanism }))
      const client = createDpOwners(options, run, [{ id: clientId, data }], prior, past).get(
        clientId,
      )!
      owner = client
      // A provider that lost a reply (it restarted) asks the same round again with the same
      // model: the owner sends the same noisy update again, which releases nothing new. Any
      // other request trains, and counts.
      let lastAnswer: { readonly request: Uint8Array; readonly reply: unknown } | undefined
      return {
        async handle(message) {
          const isFit = (message as { type?: unknown } | null)?.type === 'fit'
          const request = isFit ? encodeMessage(message) : undefined
          if (request && lastAnswer && constantTimeEqual(request, lastAnswer.request))
            return lastAnswer.reply
          const reply = await client.handle(message)
          if ((reply as { type?: unknown } | null)?.type !== 'fit-result') return reply
          const last = client.history().at(-1)!
          await ledger.record({
            v: 1,
            runId,
            clientId,
            kind: 'dp-sgd-round',
            round: last.round,
            ...last.release,
            epsilon: last.epsilon,
          })
          if (request) lastAnswer = { request, reply }
          return reply
        },
      }
    },
    spent() {
      const before = restored.rounds.map((r) => ({ round: r.round, epsilon: r.epsilon }))
      if (!owner) {
        const epsilon = before.at(-1)?.epsilon ?? 0
        return { epsilon, delta: options.delta, rounds: before }
      }
      const spent = owner.spent()
      return {
        epsilon: spent.epsilon,
        delta: spent.delta,
        rounds: [
          ...before,
          ...owner.history().map((r) => ({ round: r.round, epsilon: r.epsilon })),
        ],
      }
    },
  }
}

/**
 * Client level: each round is one release of the owner's clipped update; the accountant
 * (at the provider) counts at most the job's rounds, so the owner answers no round past
 * them and no round twice, also across a restart (the rounds in its ledger).
 */
function onceARound(
  p: {
    readonly runId: string
    readonly clientId: string
    readonly rounds: number
    readonly ledger: PrivacyLedger
    readonly answered: ReadonlySet<number>
  },
  inner: MessageHandler,
): MessageHandler {
  const { clientId, rounds } = p
  const answered = new Set(p.answered)
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
      const reply = await inner.handle(message)
      if ((reply as { type?: unknown } | null)?.type === 'error') return reply
      await p.ledger.record({ v: 1, runId: p.runId, clientId, kind: 'client-update', round })
      return reply
    },
  }
}
