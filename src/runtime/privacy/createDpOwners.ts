import type { Dataset } from '../../core/data/dataset.ts'
import {
  createDpTrainingClient,
  type DpTrainingClient,
} from '../../core/dp/createDpTrainingClient.ts'
import { calibrateDpSgd } from '../../core/dp/planDpSgd.ts'
import type { PriorRelease } from '../../core/dp/rdpAccountant.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import type { LocalTrainingConfig } from '../../core/fl/messages.ts'
import type { Model } from '../../core/model/model.ts'
import type { SampleDpOptions } from '../../core/privacy/parsePrivacySpec.ts'
import type { Rng } from '../../core/rng/rng.ts'

/** What DP needs of the run at either level: its length, local training, model and CSPRNG. */
export interface DpRunContext {
  readonly rounds: number
  readonly training: LocalTrainingConfig
  readonly model: Model
  /** A fresh CSPRNG-backed Rng per call (each owner and the server get their own). */
  readonly noiseRng: () => Rng
}

/**
 * Sample-level DP-SGD owners for `--privacy dp:…`: each honest owner calibrates its own
 * noise multiplier so that `prior` (its noisy feature statistics) and the configured
 * rounds of local training together end at ε ≤ epsilon for its own row count, and refuses any round that would exceed it. Noise comes from
 * `noiseRng` (the CSPRNG), so a DP run is not bit-reproducible from its seed. `spent` are
 * rounds a previous process of the owner released (its privacy ledger): composed into its
 * accountant, not into the calibration, so a restarted owner keeps its noise and its budget.
 */
export function createDpOwners(
  dp: SampleDpOptions,
  run: DpRunContext,
  owners: readonly { readonly id: string; readonly data: Dataset }[],
  prior: readonly PriorRelease[] = [],
  spent: readonly PriorRelease[] = [],
): Map<string, DpTrainingClient> {
  const { epsilon, delta, clip: clipNorm } = dp
  const { model, noiseRng, rounds } = run
  const training = { epochs: run.training.epochs, batchSize: run.training.batchSize }
  const out = new Map<string, DpTrainingClient>()
  for (const owner of owners) {
    if (delta >= 1 / owner.data.n)
      throw new MsflError(
        'CONFIG_INVALID',
        `privacy: dp delta ${delta} is not below 1/rows = ${(1 / owner.data.n).toExponential(2)} for ${owner.id}`,
      )
    const noiseMultiplier = calibrateDpSgd({
      n: owner.data.n,
      training,
      rounds,
      targetEpsilon: epsilon,
      delta,
      prior,
    })
    out.set(
      owner.id,
      createDpTrainingClient({
        clientId: owner.id,
        model,
        data: owner.data,
        dp: {
          clipNorm,
          noiseMultiplier,
          delta,
          epsilonBudget: epsilon,
          prior: [...prior, ...spent],
        },
        rng: noiseRng(),
      }),
    )
  }
  return out
}

/** The run's guarantee: owners hold disjoint rows, so it is the largest owner ε (parallel composition). */
export function dpSpent(owners: ReadonlyMap<string, DpTrainingClient>): {
  epsilon: number
  delta: number
  epsilonPerRound: Record<number, number>
} {
  let epsilon = 0
  let delta = 0
  const perRound: Record<number, number> = {}
  for (const owner of owners.values()) {
    const spent = owner.spent()
    epsilon = Math.max(epsilon, spent.epsilon)
    delta = Math.max(delta, spent.delta)
    for (const r of owner.history()) perRound[r.round] = Math.max(perRound[r.round] ?? 0, r.epsilon)
  }
  return { epsilon, delta, epsilonPerRound: perRound }
}
