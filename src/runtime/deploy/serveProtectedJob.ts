import { MsflError } from '../../core/errors/msflError.ts'
import type { EventSink } from '../../core/events/runEvent.ts'
import type { Strategy } from '../../core/fl/strategy.ts'
import type { Transport } from '../../core/ports/transport.ts'
import type { Rng } from '../../core/rng/rng.ts'
import type { ProtectedRunPlan } from '../config/planRun.ts'
import type { RoundEvaluation } from '../rounds/roundEvaluation.ts'
import { runFederation } from '../runFederation.ts'
import type { ProviderDp } from './openProviderDp.ts'
import type { ServedFederation, ServeFederationParameters } from './serveFederation.ts'
import { serveProtectedRounds } from './serveProtectedRounds.ts'

/**
 * A job with `privacy`: its rounds behind the hiding protection (with client-level DP's
 * hooks), or DP alone on the plain rounds; then, with DP, the (ε, δ) spent. It keeps no
 * journal: a protected round's masks and an owner's or the provider's DP state live only
 * in memory, so the run cannot resume.
 */
export async function serveProtectedJob(
  p: ServeFederationParameters,
  plan: ProtectedRunPlan,
  dp: ProviderDp | undefined,
  shared: {
    readonly runId: string
    readonly strategy: Strategy
    readonly transport: Transport
    readonly evaluate: (params: Float64Array) => RoundEvaluation
    readonly emit: EventSink
    readonly now: () => number
    readonly initialParams: Float64Array
    readonly rng: Rng
    readonly rows: readonly number[]
  },
): Promise<Omit<ServedFederation, 'model'>> {
  if (p.journal)
    throw new MsflError(
      'CONFIG_INVALID',
      'privacy: a protected run keeps no journal (secure-aggregation masks and DP budgets live only in memory, so it cannot resume)',
    )
  const { basics } = plan
  const rounds = plan.privacy.hiding
    ? await serveProtectedRounds({
        ...shared,
        plan,
        owners: p.owners,
        ...(dp?.clientLevel ? { hooks: dp.clientLevel.hooks } : {}),
        ...required(p.protection),
      })
    : await runFederation({
        ...shared,
        clients: p.owners,
        rounds: basics.rounds,
        deadlineMs: basics.deadlineMs,
      })
  if (!dp) return rounds
  const spent = await dp.summary({
    runId: p.runId,
    owners: p.owners,
    transport: p.transport,
    deadlineMs: basics.deadlineMs,
  })
  return { ...rounds, privacy: { spec: plan.privacy.spec, ...spent } }
}

function required(protection: ServeFederationParameters['protection']) {
  if (!protection)
    throw new MsflError('CONFIG_INVALID', 'privacy: the provider was given no protections')
  return { openProtection: protection.open, checkKeyHolder: protection.checkKeyHolder }
}
