import { MsflError } from '../../core/errors/msflError.ts'
import type { EventSink } from '../../core/events/runEvent.ts'
import type { Strategy } from '../../core/fl/strategy.ts'
import type { Transport } from '../../core/ports/transport.ts'
import type { Rng } from '../../core/rng/rng.ts'
import type { ProtectedRunPlan } from '../config/planRun.ts'
import { startJournaledRun } from '../orchestrator/startJournaledRun.ts'
import type { RoundEvaluation } from '../rounds/roundEvaluation.ts'
import { runFederation } from '../runFederation.ts'
import type { ProviderDp } from './openProviderDp.ts'
import type { ServedFederation, ServeFederationParameters } from './serveFederation.ts'
import { serveProtectedRounds } from './serveProtectedRounds.ts'
import { skipInterruptedRound, skipsInterruptedRounds } from './skipInterruptedRound.ts'

/**
 * A job with `privacy`: its rounds behind the hiding protection (with client-level DP's
 * hooks), or DP alone on the plain rounds; then, with DP, the (ε, δ) spent. With a journal
 * (`msfl server --store`) a restarted provider goes on from the last closed round: DP alone
 * resumes an interrupted round from its stored replies (each owner's privacy ledger already
 * counted what it released); a hiding protection or client-level DP skips it
 * (skipInterruptedRound), and client-level DP's accountant is charged again with the closed
 * rounds (ClientLevelRun.restore).
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
  const { journal } = p
  const { basics } = plan
  const skippedToTheEnd =
    journal && skipsInterruptedRounds(plan)
      ? await skipInterruptedRound({ ...shared, journal })
      : undefined
  // Client-level DP's accountant lives here: a resumed run charges it with the closed rounds.
  dp?.clientLevel?.restore(skippedToTheEnd?.history ?? journal?.resume?.history ?? [])
  const rounds = skippedToTheEnd ?? (await serveRounds(p, plan, dp, shared))
  if (!dp) return rounds
  const spent = await dp.summary({
    runId: p.runId,
    owners: p.owners,
    transport: p.transport,
    deadlineMs: basics.deadlineMs,
  })
  return { ...rounds, privacy: { spec: plan.privacy.spec, ...spent } }
}

/** The rounds still to run, from the journal's resume point when there is one. */
async function serveRounds(
  p: ServeFederationParameters,
  plan: ProtectedRunPlan,
  dp: ProviderDp | undefined,
  shared: Parameters<typeof serveProtectedJob>[3],
): Promise<Omit<ServedFederation, 'model'>> {
  const { basics } = plan
  const { journal } = p
  const start = journal
    ? await startJournaledRun(journal, { ...shared, owners: p.owners })
    : { initialParams: shared.initialParams, rng: shared.rng }
  const rounds = plan.privacy.hiding
    ? await serveProtectedRounds({
        ...shared,
        ...start,
        plan,
        owners: p.owners,
        ...(dp?.clientLevel ? { hooks: dp.clientLevel.hooks } : {}),
        ...(p.onProtectionKnown ? { onProtectionKnown: p.onProtectionKnown } : {}),
        ...required(p.protection),
      })
    : await runFederation({
        ...shared,
        ...start,
        clients: p.owners,
        rounds: basics.rounds,
        deadlineMs: basics.deadlineMs,
      })
  const before = journal?.resume?.history ?? []
  return { ...rounds, history: [...before, ...rounds.history] as typeof rounds.history }
}

function required(protection: ServeFederationParameters['protection']) {
  if (!protection)
    throw new MsflError('CONFIG_INVALID', 'privacy: the provider was given no protections')
  return { openProtection: protection.open, checkKeyHolder: protection.checkKeyHolder }
}
