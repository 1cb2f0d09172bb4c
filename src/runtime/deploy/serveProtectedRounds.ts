import { protectionTermsAcceptedSchema } from '../../core/deploy/deploymentMessages.ts'
import { describeZodError } from '../../core/errors/describeZodError.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import type { EventSink } from '../../core/events/runEvent.ts'
import type { Strategy } from '../../core/fl/strategy.ts'
import type { ProtocolMessage, Transport } from '../../core/ports/transport.ts'
import { MIN_SUMMED_UPDATES } from '../../core/privacy/createKeyHolder.ts'
import {
  KEY_HOLDER_ID,
  type KeyHolderPublic,
  keyHolderPublicSchema,
} from '../../core/privacy/keyHolderMessages.ts'
import type { HidingPart } from '../../core/privacy/parsePrivacySpec.ts'
import type { Rng } from '../../core/rng/rng.ts'
import type { ProtectedRunPlan } from '../config/planRun.ts'
import {
  type ProtectedFederationResult,
  runProtectedFederation,
} from '../privacy/runProtectedFederation.ts'
import type {
  ProtectedRoundHooks,
  ProtectionContext,
  UpdateProtection,
} from '../privacy/updateProtection.ts'
import { collectReplies, type ReplyOutcome } from '../rounds/collectReplies.ts'
import type { RoundEvaluation } from '../rounds/roundEvaluation.ts'
import type { FederationJournal } from '../rounds/roundJournal.ts'

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
  /** Client-level DP (openProviderDp): the rounds it admits and its noisy step. */
  readonly hooks?: ProtectedRoundHooks
  /** Opens the protection's server side, under the key holder's public key when it has one. */
  readonly openProtection: OpenDeployedProtection
  /**
   * Checks the key holder's signed public key before anyone uses it (the owners check it
   * too: they do not trust the provider that forwards it).
   */
  readonly checkKeyHolder: (publicKey: KeyHolderPublic) => void
  /** The run's journal (msfl server --store); its interrupted rounds were skipped already. */
  readonly journal?: FederationJournal
  /** The first round to run (default 1): a resumed run goes on after its last closed round. */
  readonly firstRound?: number
  /** Told once every owner accepted the terms, with how to give them to a returning owner. */
  readonly onProtectionKnown?: (announce: (owner: string) => Promise<void>) => void
  readonly emit: EventSink
  readonly now: () => number
}

/** Opens the public side of a deployed protection (cli/privacy/deployedProtection.ts). */
export type OpenDeployedProtection = (
  hiding: HidingPart,
  context: ProtectionContext,
  keyHolder: KeyHolderPublic | undefined,
) => Promise<UpdateProtection>

/**
 * The job's `privacy` hiding part a deployment can run: secure aggregation (each owner its
 * own party, a real dropout an owner that vanished), or ckks / paillier with the key holder
 * a process of its own; undefined for DP alone (each owner draws its own noise,
 * openOwnerDp). The simulated `dropout`, and DP beside SMPC verification, are refused
 * naming the field.
 */
export function deployedProtection(plan: ProtectedRunPlan): HidingPart | undefined {
  const { privacy } = plan
  if (privacy.dp && plan.defences)
    throw new MsflError(
      'CONFIG_INVALID',
      `${plan.defences.verify ? 'verify' : 'defence'}: with privacy: dp it is not available in a deployment yet: use msfl simulate`,
    )
  if (!privacy.hiding && !privacy.dp)
    throw new MsflError('CONFIG_INVALID', `privacy: ${privacy.spec} protects no updates`)
  if (privacy.dropout > 0)
    throw new MsflError(
      'CONFIG_INVALID',
      'dropout: simulated dropouts have no place in a deployment, where an owner that vanishes is a real dropout',
    )
  return privacy.hiding
}

/**
 * The fewest owners' updates a protected sum may hold: 2, or client-level DP's t with
 * distributed noise (no released sum carries fewer noise shares). The provider, every
 * owner and the key holder each take it from the job.
 */
export function summedUpdatesFloor(plan: ProtectedRunPlan): number {
  return Math.max(MIN_SUMMED_UPDATES, plan.privacy.minNoiseShares ?? 0)
}

/**
 * The public bound each protected update is scaled by: the largest owner's rows, or 1 under
 * client-level DP, whose clients report one example each (as in simulation).
 */
export function referenceExamplesOf(plan: ProtectedRunPlan, rows: readonly number[]): number {
  return plan.privacy.dp?.options.level === 'client' ? 1 : Math.max(...rows)
}

/**
 * FedAvg with protected updates across processes, on the code a simulation runs
 * (runProtectedFederation and the protections): for ckks and paillier the provider first
 * asks the key holder process for its signed public key and checks it; it then tells every
 * owner the job's protection terms — the public reference row count each owner scales its
 * update by (the largest owner's, as in simulation) and the key holder's signed key, which
 * each owner checks itself — and each must accept them before a round. Every round the
 * provider learns only the sum of the owners that finished it (secagg) or a ciphertext
 * sum only the key holder decrypts (ckks, paillier).
 */
export async function serveProtectedRounds(
  p: ServeProtectedRoundsParameters,
): Promise<ProtectedFederationResult> {
  const hiding = deployedProtection(p.plan)
  if (!hiding) throw new MsflError('CONFIG_INVALID', 'privacy: the job hides no updates')
  const { basics } = p.plan
  const referenceExamples = referenceExamplesOf(p.plan, p.rows)
  const keyHolder = hiding.name === 'secagg' ? undefined : await fetchKeyHolderKey(p)
  const terms: ProtocolMessage = {
    type: 'protection-terms',
    runId: p.runId,
    referenceExamples,
    ...(keyHolder ? { keyHolder } : {}),
  }
  const outcomes = await collectReplies(p.transport, new Map(p.owners.map((o) => [o, terms])), {
    deadlineMs: basics.deadlineMs,
  })
  checkTermsAccepted(outcomes)
  // A restarted owner process takes part only once it accepted the same terms.
  p.onProtectionKnown?.(async (owner) =>
    checkTermsAccepted(
      await collectReplies(p.transport, new Map([[owner, terms]]), {
        deadlineMs: basics.deadlineMs,
      }),
    ),
  )
  const protection = await p.openProtection(
    hiding,
    {
      runId: p.runId,
      clients: p.owners,
      rounds: basics.rounds,
      minContributors: summedUpdatesFloor(p.plan),
      referenceExamples,
      dropsOut: () => false,
    },
    keyHolder,
  )
  try {
    return await runProtectedFederation({
      runId: p.runId,
      strategy: p.strategy,
      protection,
      transport: p.transport,
      clients: p.owners,
      rounds: basics.rounds,
      initialParams: p.initialParams,
      evaluate: p.evaluate,
      rng: p.rng,
      ...(p.hooks ? { hooks: p.hooks } : {}),
      ...(p.journal ? { journal: p.journal } : {}),
      ...(p.firstRound ? { firstRound: p.firstRound } : {}),
      deadlineMs: basics.deadlineMs,
      emit: p.emit,
      now: p.now,
    })
  } finally {
    await protection.dispose()
  }
}

/** Every owner asked accepted the protection terms, or this fails naming the first that did not. */
function checkTermsAccepted(outcomes: readonly ReplyOutcome[]): void {
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
}

/** The key holder's signed public key, checked; the run fails if it does not give one. */
async function fetchKeyHolderKey(p: ServeProtectedRoundsParameters): Promise<KeyHolderPublic> {
  const reply = await p.transport.request(
    KEY_HOLDER_ID,
    { type: 'key-holder-public-request', runId: p.runId },
    { deadlineMs: p.plan.basics.deadlineMs },
  )
  const parsed = keyHolderPublicSchema.safeParse(reply)
  if (!parsed.success)
    throw new MsflError(
      'PROTOCOL',
      `the key holder gave no public key (${String((reply as { message?: unknown } | null)?.message ?? describeZodError(parsed.error))})`,
    )
  p.checkKeyHolder(parsed.data)
  return parsed.data
}
