import type { Dataset } from '../data/dataset.ts'
import { MsflError } from '../errors/msflError.ts'
import { createFitHandler } from '../fl/createFitHandler.ts'
import type { ClientMessage, FitInstruction, LocalTrainingConfig } from '../fl/messages.ts'
import type { Model } from '../model/model.ts'
import type { MessageHandler } from '../ports/transport.ts'
import type { Rng } from '../rng/rng.ts'
import { assertNoiseRng } from './assertNoiseRng.ts'
import { planDpSgdRound } from './planDpSgd.ts'
import { createRdpAccountant, type PriorRelease, type PrivacySpent } from './rdpAccountant.ts'
import type { RdpConversion } from './rdpToEpsilon.ts'
import { trainDpSgd } from './trainDpSgd.ts'

/** A data owner's sample-level DP settings. */
export interface DpSgdConfig {
  readonly clipNorm: number
  readonly noiseMultiplier: number
  readonly delta: number
  /** The owner refuses any round that would take its ε past this; absent: ε is only tracked. */
  readonly epsilonBudget?: number
  readonly orders?: readonly number[]
  readonly conversion?: RdpConversion
  /**
   * What the owner released from the same rows before training (its noisy feature
   * statistics): composed into the accountant at creation, so the budget covers it.
   */
  readonly prior?: readonly PriorRelease[]
}

export interface DpTrainingClientParameters {
  readonly clientId: string
  readonly model: Model
  /** The owner's private data: it never leaves this handler. */
  readonly data: Dataset
  readonly dp: DpSgdConfig
  /** Draws the Poisson batches and the noise: a CSPRNG unless `simulation` is set. */
  readonly rng: Rng
  /** A reproducible simulation (no real data protected) may use a seeded Rng. */
  readonly simulation?: boolean
}

export interface DpRoundPrivacy extends PrivacySpent {
  readonly round: number
  /** What the round released: its DP-SGD steps and the sampled Gaussian of each. */
  readonly release: PriorRelease
}

/** A FedAvg data owner that trains with DP-SGD and keeps its own privacy ledger. */
export interface DpTrainingClient extends MessageHandler {
  /** The owner's (ε, δ) over every round it has trained in. */
  spent(): PrivacySpent
  /** (ε, δ) after each round the owner trained in, oldest first. */
  history(): readonly DpRoundPrivacy[]
  /** Whether one more round with these settings would exceed the budget (false without one). */
  wouldExceedBudget(training: LocalTrainingConfig): boolean
}

/**
 * The sample-level DP variant of createTrainingClient (same messages, same seams):
 * FedAvg rounds run DP-SGD (trainDpSgd) from the global parameters with the round's
 * epochs, expected batch size, learning rate and momentum, and every round is
 * composed into the owner's RDP accountant. The owner enforces its own budget and
 * answers an error instead of training once a round would exceed it: it never relies
 * on the server to stop.
 *
 * What is released per round: the trained parameters (post-processing of the noisy
 * gradients) and the row count n, which is treated as public, as Opacus and TF Privacy
 * do when they divide by q·n. The training loss is NOT released (it is a statistic of
 * the private rows that the accountant does not cover): replies carry trainLoss 0.
 * FedSGD gradient rounds are refused: a full-batch gradient has no noise.
 */
export function createDpTrainingClient(parameters: DpTrainingClientParameters): DpTrainingClient {
  const { clientId, model, data, dp, rng, simulation } = parameters
  if (data.n === 0) throw new MsflError('CONFIG_INVALID', `client ${clientId} has no data`)
  assertNoiseRng(rng, simulation, `client ${clientId}`)
  checkConfig(clientId, dp)
  const accountant = createRdpAccountant({
    delta: dp.delta,
    ...(dp.orders ? { orders: dp.orders } : {}),
    ...(dp.conversion ? { conversion: dp.conversion } : {}),
  })
  for (const release of dp.prior ?? []) accountant.step(release.steps, release.mechanism)
  const history: DpRoundPrivacy[] = []

  /** What a round of `training` is for this owner: its steps and the mechanism of each. */
  const roundOf = (training: LocalTrainingConfig) => {
    const plan = planDpSgdRound(data.n, training)
    const mechanism = { samplingRate: plan.samplingRate, noiseMultiplier: dp.noiseMultiplier }
    return { steps: plan.steps, mechanism }
  }
  const wouldExceedBudget = (training: LocalTrainingConfig): boolean => {
    if (dp.epsilonBudget === undefined) return false
    const round = roundOf(training)
    return accountant.wouldExceed(dp.epsilonBudget, round.steps, round.mechanism)
  }

  const fit = (instruction: FitInstruction): ClientMessage => {
    if (instruction.mode !== 'params')
      return errorReply('this data owner trains with DP-SGD and answers FedAvg rounds only')
    if (instruction.params.length !== model.numParams)
      return errorReply(
        `params has ${instruction.params.length} values, the model needs ${model.numParams}`,
      )
    const { training } = instruction
    const round = roundOf(training)
    if (wouldExceedBudget(training)) {
      const after = accountant.spentAfter(round.steps, round.mechanism).epsilon
      return errorReply(
        `privacy budget exhausted: this round would take ε from ${accountant.spent().epsilon.toFixed(3)} ` +
          `to ${after.toFixed(3)} > ${dp.epsilonBudget} (δ = ${dp.delta})`,
      )
    }
    const result = trainDpSgd(
      model,
      instruction.params,
      data,
      {
        clipNorm: dp.clipNorm,
        noiseMultiplier: dp.noiseMultiplier,
        samplingRate: round.mechanism.samplingRate,
        steps: round.steps,
        learningRate: training.learningRate,
        momentum: training.momentum,
        ...(simulation === undefined ? {} : { simulation }),
      },
      rng,
    )
    history.push({
      round: instruction.round,
      ...accountant.step(round.steps, round.mechanism),
      release: round,
    })
    return {
      type: 'fit-result',
      round: instruction.round,
      clientId,
      kind: 'params',
      vector: result.params,
      numExamples: data.n,
      trainLoss: 0,
    }
  }

  const errorReply = (message: string): ClientMessage => ({ type: 'error', clientId, message })

  return {
    ...createFitHandler(clientId, fit),
    spent: () => accountant.spent(),
    history: () => [...history],
    wouldExceedBudget,
  }
}

function checkConfig(clientId: string, dp: DpSgdConfig): void {
  const invalid = (message: string) =>
    new MsflError('CONFIG_INVALID', `client ${clientId}: differential privacy: ${message}`)
  if (!(dp.clipNorm > 0 && Number.isFinite(dp.clipNorm)))
    throw invalid(`clipNorm must be a finite number > 0, got ${dp.clipNorm}`)
  if (!(dp.noiseMultiplier > 0 && Number.isFinite(dp.noiseMultiplier)))
    throw invalid(`noiseMultiplier must be a finite number > 0, got ${dp.noiseMultiplier}`)
  if (!(dp.delta > 0 && dp.delta < 1)) throw invalid(`delta must be in (0, 1), got ${dp.delta}`)
  if (dp.epsilonBudget !== undefined && !(dp.epsilonBudget > 0))
    throw invalid(`epsilonBudget must be > 0, got ${dp.epsilonBudget}`)
}
