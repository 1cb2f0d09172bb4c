import { protectionTermsAcceptedSchema } from '../../core/deploy/deploymentMessages.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import type { EventSink } from '../../core/events/runEvent.ts'
import type { Strategy } from '../../core/fl/strategy.ts'
import type { ProtocolMessage, Transport } from '../../core/ports/transport.ts'
import { MIN_SUMMED_UPDATES } from '../../core/privacy/createKeyHolder.ts'
import type { HidingPart } from '../../core/privacy/parsePrivacySpec.ts'
import type { Rng } from '../../core/rng/rng.ts'
import type { ProtectedRunPlan } from '../config/planRun.ts'
import {
  type ProtectedFederationResult,
  runProtectedFederation,
} from '../privacy/runProtectedFederation.ts'
import type { CreateProtection } from '../privacy/updateProtection.ts'
import { collectReplies } from '../rounds/collectReplies.ts'
import type { RoundEvaluation } from '../rounds/roundEvaluation.ts'

/** The protected rounds of a deployed job, and what they run on. */
export interface ServeProtectedRoundsParameters {
  readonly runId: string
  readonly plan: ProtectedRunPlan
  readonly owners: readonly string[]
  /** Each owner's row count, in `owners` order, as the owners described their data. */
  readonly rows: readonly number[]
  readonly transport: Transport
  readonly strategy: Strategy
  readonly initialParams: Float64Array
  readonly evaluate: (params: Float64Array) => RoundEvaluation
  readonly rng: Rng
  /** Opens the protection's server side (the CLI's createProtection, with real keys). */
  readonly createProtection: CreateProtection
  readonly emit: EventSink
  readonly now: () => number
}

/**
 * The job's `privacy` part a deployment can run: secure aggregation, where each owner is
 * its own party and a real dropout is an owner that vanished. DP, the key-holder
 * protections and the simulated `dropout` are refused naming the field.
 */
export function deployedProtection(plan: ProtectedRunPlan): HidingPart & { name: 'secagg' } {
  const { privacy } = plan
  if (privacy.dp)
    throw new MsflError(
      'CONFIG_INVALID',
      'privacy: DP across processes is not available yet (each owner must draw its own noise): use msfl simulate',
    )
  if (privacy.hiding?.name !== 'secagg')
    throw new MsflError(
      'CONFIG_INVALID',
      `privacy: ${privacy.hiding?.name ?? privacy.spec} needs its key holder as a process of its own, which a deployment does not start yet: use secagg, or msfl simulate`,
    )
  if (privacy.dropout > 0)
    throw new MsflError(
      'CONFIG_INVALID',
      'dropout: simulated dropouts have no place in a deployment, where an owner that vanishes is a real dropout',
    )
  return privacy.hiding
}

/**
 * FedAvg with secure aggregation across processes, on the code a simulation runs
 * (runProtectedFederation and the secagg protection): the provider tells every owner the
 * job's protection terms — the public reference row count each owner scales its update
 * by, the largest owner's as in simulation — and each must accept them before a round;
 * then every round the provider learns only the sum of the owners that finished it.
 */
export async function serveProtectedRounds(
  p: ServeProtectedRoundsParameters,
): Promise<ProtectedFederationResult> {
  const hiding = deployedProtection(p.plan)
  const { basics } = p.plan
  const referenceExamples = Math.max(...p.rows)
  const terms: ProtocolMessage = { type: 'protection-terms', runId: p.runId, referenceExamples }
  const outcomes = await collectReplies(p.transport, new Map(p.owners.map((o) => [o, terms])), {
    deadlineMs: basics.deadlineMs,
  })
  for (const outcome of outcomes) {
    const parsed =
      'reply' in outcome ? protectionTermsAcceptedSchema.safeParse(outcome.reply) : undefined
    if (!parsed?.success || parsed.data.clientId !== outcome.clientId)
      throw new MsflError(
        'PROTOCOL',
        `owner ${outcome.clientId} did not accept the protection terms (${
          'reply' in outcome
            ? String((outcome.reply as { message?: unknown } | null)?.message ?? 'another reply')
            : 'failure' in outcome
              ? outcome.failure
              : 'no answer by the deadline'
        })`,
      )
  }
  const opened = await p.createProtection(hiding, {
    runId: p.runId,
    clients: p.owners,
    rounds: basics.rounds,
    minContributors: MIN_SUMMED_UPDATES,
    referenceExamples,
    dropsOut: () => false,
  })
  try {
    return await runProtectedFederation({
      runId: p.runId,
      strategy: p.strategy,
      protection: opened.protection,
      transport: p.transport,
      clients: p.owners,
      rounds: basics.rounds,
      initialParams: p.initialParams,
      evaluate: p.evaluate,
      rng: p.rng,
      deadlineMs: basics.deadlineMs,
      emit: p.emit,
      now: p.now,
    })
  } finally {
    await opened.protection.dispose()
  }
}
