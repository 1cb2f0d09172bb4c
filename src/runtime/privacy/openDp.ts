import type { Dataset } from '../../core/data/dataset.ts'
import type { PriorRelease } from '../../core/dp/rdpAccountant.ts'
import type { MessageHandler } from '../../core/ports/transport.ts'
import type { DpPart } from '../../core/privacy/parsePrivacySpec.ts'
import type { PrivacyPlan } from '../config/planRun.ts'
import {
  type ClientLevelRun,
  type ClientLevelSummary,
  createClientLevelRun,
} from './createClientLevelRun.ts'
import { createDpOwners, type DpRunContext, dpSpent } from './createDpOwners.ts'

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
export function openDp(
  p: DpRunContext & {
    readonly privacy: PrivacyPlan & { readonly dp: DpPart }
    readonly clients: number
    readonly honestOwners: readonly { readonly id: string; readonly data: Dataset }[]
    /** Sample level: what each owner released before training (its noisy feature statistics). */
    readonly prior?: readonly PriorRelease[]
  },
): DpSetup {
  const { dp, hiding, minNoiseShares } = p.privacy
  if (dp.options.level === 'client') {
    const run = createClientLevelRun({
      dp: dp.options,
      hiding,
      minNoiseShares,
      clients: p.clients,
      rounds: p.rounds,
      training: p.training,
      honest: new Set(p.honestOwners.map((o) => o.id)),
      noiseRng: p.noiseRng,
    })
    return {
      honestClient: (_clientId, plain) => run.wrapClient(plain()),
      clientLevel: run,
      summary: () => run.summary(),
    }
  }
  const owners = createDpOwners(dp.options, p, p.honestOwners, p.prior)
  return {
    honestClient: (clientId, plain) => owners.get(clientId) ?? plain(),
    summary: () => dpSpent(owners),
  }
}
