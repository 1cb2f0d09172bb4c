import type { Dataset } from '../../core/data/dataset.ts'
import type { PriorRelease } from '../../core/dp/rdpAccountant.ts'
import type { Model } from '../../core/model/model.ts'
import type { MessageHandler } from '../../core/ports/transport.ts'
import type { PrivacyPart } from '../../core/privacy/parsePrivacySpec.ts'
import type { Rng } from '../../core/rng/rng.ts'
import type { SimulationConfig } from '../config/simulationConfig.ts'
import {
  type ClientLevelRun,
  type ClientLevelSummary,
  createClientLevelRun,
} from './createClientLevelRun.ts'
import { createDpOwners, dpSpent } from './createDpOwners.ts'

/** What a simulation reports of DP at either level (client level adds the mechanism). */
export type DpSummary = ReturnType<typeof dpSpent> | ClientLevelSummary

/** `--privacy dp` as a simulation uses it, whichever the level. */
export interface DpSetup {
  /**
   * An honest client's handler: its DP-SGD owner (sample level), or the plain client
   * `plain` builds, wrapped to clip and noise its update (client level).
   */
  honestClient(clientId: string, plain: () => MessageHandler): MessageHandler
  /** Client level: the round planner, the protected-round hooks and the accountant. */
  readonly clientLevel?: ClientLevelRun
  summary(): DpSummary
}

/**
 * Sample level (`dp:epsilon=…`, the default) gives every honest owner DP-SGD training
 * (createDpOwners); client level (`dp:level=client,…`) runs DP-FedAvg over the clients
 * (createClientLevelRun). Both draw all noise and sampling from `noiseRng` (the CSPRNG).
 */
export function openDp(p: {
  readonly part: PrivacyPart
  /** The hiding protection of the run, if any (secagg, ckks or paillier). */
  readonly hiding: PrivacyPart | undefined
  readonly config: SimulationConfig
  readonly model: Model
  readonly honestOwners: readonly { readonly id: string; readonly data: Dataset }[]
  readonly noiseRng: () => Rng
  /** Sample level: what each owner released before training (its noisy feature statistics). */
  readonly prior?: readonly PriorRelease[]
}): DpSetup {
  if (p.part.options['level'] === 'client') {
    const run = createClientLevelRun({
      part: p.part,
      hiding: p.hiding,
      config: p.config,
      honest: new Set(p.honestOwners.map((o) => o.id)),
      noiseRng: p.noiseRng,
    })
    return {
      honestClient: (_clientId, plain) => run.wrapClient(plain()),
      clientLevel: run,
      summary: () => run.summary(),
    }
  }
  const owners = createDpOwners(
    p.part,
    p.config,
    p.model,
    p.honestOwners,
    p.noiseRng,
    p.prior ?? [],
  )
  return {
    honestClient: (clientId, plain) => owners.get(clientId) ?? plain(),
    summary: () => dpSpent(owners),
  }
}
