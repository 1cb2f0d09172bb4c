import { privacySpentSchema } from '../../core/deploy/deploymentMessages.ts'
import type { Transport } from '../../core/ports/transport.ts'
import type { DpPart } from '../../core/privacy/parsePrivacySpec.ts'
import type { Rng } from '../../core/rng/rng.ts'
import type { ProtectedRunPlan } from '../config/planRun.ts'
import { type ClientLevelRun, createClientLevelRun } from '../privacy/createClientLevelRun.ts'
import { collectReplies } from '../rounds/collectReplies.ts'

/** What the provider of a deployed DP job reports: the (ε, δ) spent, as those who count it count it. */
export interface DeployedDpSummary {
  readonly level: 'sample' | 'client'
  /** Sample level: the largest owner ε (disjoint rows); client level: the provider's accountant. */
  readonly epsilon: number
  readonly delta: number
  /** Round → ε spent up to and including it (the largest owner's at sample level). */
  readonly epsilonPerRound: Record<number, number>
  /** Sample level: each owner's (ε, δ), as its own accountant reported it. */
  readonly owners?: Record<string, { readonly epsilon: number; readonly delta: number }>
  /**
   * Sample level: owners that gave no report (gone, or an invalid reply) and why; each of
   * them refused any round past the job's ε itself, but what it spent is not known here.
   */
  readonly unreported?: Record<string, string>
  /** Client level: the mechanism (noise, σ, q, t). */
  readonly noise?: string
  readonly noiseMultiplier?: number
  readonly samplingRate?: number
  readonly minContributors?: number
}

/** The provider's side of `privacy: dp…` in a deployment. */
export interface ProviderDp {
  /** Client level: the round planner, accountant and central noise, in the provider. */
  readonly clientLevel?: ClientLevelRun
  /** Client level: the features are scaled by the job's declared ranges, agreed on by nobody. */
  readonly scaleByRanges: boolean
  /** After the rounds: the (ε, δ) to report; at sample level it asks every owner. */
  summary(p: {
    readonly runId: string
    readonly owners: readonly string[]
    readonly transport: Transport
    readonly deadlineMs: number
  }): Promise<DeployedDpSummary>
}

/**
 * The provider side of DP across processes, on the code a simulation runs. Sample level:
 * nothing — every owner runs DP-SGD with its own noise and accountant (openOwnerDp), and
 * after the rounds the provider asks each owner what it spent (`privacy-spent-request`)
 * and reports the largest, as a simulation does, naming any owner that did not say.
 * Client level: createClientLevelRun with every owner honest — the Poisson round planner,
 * the accountant, and with central noise the noise on the sum — drawing from `noiseRng`
 * (the provider's CSPRNG); the owners clip (and add their noise shares) themselves.
 */
export function openProviderDp(p: {
  readonly plan: ProtectedRunPlan
  readonly dp: DpPart
  readonly owners: readonly string[]
  readonly noiseRng: () => Rng
}): ProviderDp {
  const { plan, dp } = p
  if (dp.options.level === 'client') {
    const clientLevel = createClientLevelRun({
      dp: dp.options,
      hiding: plan.privacy.hiding,
      minNoiseShares: plan.privacy.minNoiseShares,
      clients: plan.basics.clients,
      rounds: plan.basics.rounds,
      training: plan.engine.training,
      honest: new Set(p.owners),
      noiseRng: p.noiseRng,
    })
    return {
      clientLevel,
      scaleByRanges: true,
      summary: async () => clientLevel.summary(),
    }
  }
  return { scaleByRanges: false, summary: askOwners }
}

/**
 * Every owner's (ε, δ) from its own accountant, and the largest; an owner that does not
 * say is listed as unreported (the run's model stands: no owner spent past the job's ε).
 */
async function askOwners(p: {
  readonly runId: string
  readonly owners: readonly string[]
  readonly transport: Transport
  readonly deadlineMs: number
}): Promise<DeployedDpSummary> {
  const request = { type: 'privacy-spent-request', runId: p.runId } as const
  const outcomes = await collectReplies(p.transport, new Map(p.owners.map((o) => [o, request])), {
    deadlineMs: p.deadlineMs,
  })
  const owners: Record<string, { epsilon: number; delta: number }> = {}
  const unreported: Record<string, string> = {}
  const perRound: Record<number, number> = {}
  let epsilon = 0
  let delta = 0
  for (const outcome of outcomes) {
    const id = outcome.clientId
    const parsed = 'reply' in outcome ? privacySpentSchema.safeParse(outcome.reply) : undefined
    if (!parsed?.success || parsed.data.clientId !== id || parsed.data.runId !== p.runId) {
      unreported[id] =
        'reply' in outcome
          ? String((outcome.reply as { message?: unknown } | null)?.message ?? 'another reply')
          : 'failure' in outcome
            ? outcome.failure
            : 'no answer by the deadline'
      continue
    }
    const spent = parsed.data
    owners[id] = { epsilon: spent.epsilon, delta: spent.delta }
    epsilon = Math.max(epsilon, spent.epsilon)
    delta = Math.max(delta, spent.delta)
    for (const r of spent.rounds) perRound[r.round] = Math.max(perRound[r.round] ?? 0, r.epsilon)
  }
  return {
    level: 'sample',
    epsilon,
    delta,
    epsilonPerRound: perRound,
    owners,
    ...(Object.keys(unreported).length > 0 ? { unreported } : {}),
  }
}
