import type { Dataset } from '../../core/data/dataset.ts'
import { applyFeatureScaling, type FeatureScalingPlan } from '../../core/data/featureScaling.ts'
import { l2NormalizeRows } from '../../core/data/l2NormalizeRows.ts'
import type { RunEnded } from '../../core/deploy/deploymentMessages.ts'
import {
  ledgerAddressRequestSchema,
  type MsflPublicKey,
  type MsflRequestorTerms,
  msflRequestorTermsSchema,
} from '../../core/deploy/msflDeploymentMessages.ts'
import { requestorTermsChange } from '../../core/deploy/msflTermsChange.ts'
import { describeZodError } from '../../core/errors/describeZodError.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import type { EventSink } from '../../core/events/runEvent.ts'
import type { EvaluationMetrics } from '../../core/metrics/evaluateModel.ts'
import { createBlockLayout, gradientRotations } from '../../core/msfl/blockLayout.ts'
import { createMsflRequestor } from '../../core/msfl/createMsflRequestor.ts'
import { evaluateMsfl } from '../../core/msfl/evaluateMsfl.ts'
import { msflModelShape } from '../../core/msfl/msflModel.ts'
import type { HeDecryptor, HeEvaluator } from '../../core/ports/he.ts'
import type { MessageHandler } from '../../core/ports/transport.ts'
import { createRobustRule } from '../../core/robust/createRobustRule.ts'
import type { MsflRunPlan } from '../config/planRun.ts'
import { createMsflScreen, type MsflScreenSummary } from '../defence/createMsflScreen.ts'
import { initialMsflWeights } from '../msfl/initialMsflWeights.ts'
import { acceptRunEnd } from './acceptRunEnd.ts'
import { answerRunRequest } from './answerRunRequest.ts'
import type { MsflLedgerParty } from './msflLedgerParty.ts'

/** The requestor's CKKS keys: the secret key stays inside `decryptor`. */
export interface MsflRequestorKeys {
  readonly evaluator: HeEvaluator
  readonly decryptor: HeDecryptor
  readonly publicMaterial: Uint8Array
  dispose(): void
}

/** What the requestor's process serves an MS-FL job with. */
export interface MsflRequestorParticipantParameters {
  readonly runId: string
  /** The requestor's node id: the name in its certificate. */
  readonly clientId: string
  readonly plan: MsflRunPlan
  /** The job's owners, in the job's order: the provider must name exactly these. */
  readonly owners: readonly string[]
  /** The job's public test rows (the dataset's test split), encoded, not yet scaled. */
  readonly test: Dataset
  readonly scaling: FeatureScalingPlan | undefined
  /** Slots of the job's CKKS preset. */
  readonly slots: number
  /** This requestor's account on the run's chain: it deposits and registers models. */
  readonly ledger: MsflLedgerParty
  /** Generates the CKKS key pair in this process (the secret key never leaves it). */
  createKeys(preset: string, rotations: readonly number[]): Promise<MsflRequestorKeys>
  /** Signs the public material with the kit key, for the owners to check. */
  signPublicKey(material: Uint8Array): MsflPublicKey
  /** The digest the ledger records for a serialised model (keccak256). */
  modelDigest(bytes: Uint8Array): Uint8Array
  /** Told after every round: the requestor's own test metrics of the new model. */
  onRound?(round: number, metrics: EvaluationMetrics): void
  /** Told every ADRM decision (flags, quarantines, reputation, blocks) when the job sets `defence`. */
  readonly emit: EventSink
  /** The requestor's clock (ms): ADRM's time-based blocks (`block-ms`) expire on it. */
  readonly now: () => number
}

/** The requestor's handler, its model and the run's end. */
export interface MsflRequestorParticipant extends MessageHandler {
  readonly ended: Promise<RunEnded>
  /** The model's weights per head (the initial ones before round 1). */
  weights(): readonly Float64Array[]
  /** Test metrics of the current model (undefined before the terms arrived). */
  metrics(): EvaluationMetrics | undefined
  /**
   * ADRM's decisions so far when the job sets `defence`: reputations, flags per round,
   * blocks; no detection metrics (a deployment has no labels).
   */
  defence(): MsflScreenSummary | undefined
  /** Frees the keys. */
  dispose(): void
}

/**
 * The model requestor of a deployed MS-FL job, with the code of a simulated requestor
 * (core/msfl/createMsflRequestor.ts): it holds the CKKS secret key, selects owners on
 * masked gradients, deposits and commits the table on the chain with its own key, and
 * applies the decrypted aggregate. Before round 1 it checks every address the provider
 * forwards (each signed under its party's certificate), so it pays only the owners'
 * own accounts; then it generates its keys and answers with its public material, signed.
 * After each round it tells the provider its test accuracy (the provider holds no weights).
 * With `defence: adrm` it screens the masked gradients it decrypts with the simulation's
 * code (createMsflScreen): flagged owners are selected on no component, so the table it
 * commits on chain pays them nothing.
 */
export function createMsflRequestorParticipant(
  p: MsflRequestorParticipantParameters,
): MsflRequestorParticipant {
  const { runId, clientId, plan } = p
  const end = acceptRunEnd(runId, clientId)
  const error = (message: string) => ({ type: 'error', clientId, message })
  const shape = msflModelShape(p.test)
  const layout = createBlockLayout(p.test.d, plan.msfl.batchSize, p.slots)
  const initial = initialMsflWeights(plan.basics.seed, shape.heads, layout.components)
  let keys: MsflRequestorKeys | undefined
  let requestor: ReturnType<typeof createMsflRequestor> | undefined
  let test: Dataset | undefined
  let opening = false
  let accepted: MsflRequestorTerms | undefined
  // The requestor is the party that selects: it screens what it selects on, the masked gradients.
  const screen = plan.defence
    ? createMsflScreen({
        runId,
        spec: plan.defence,
        seed: plan.basics.seed,
        emit: p.emit,
        now: p.now,
      })
    : undefined

  const acceptTerms = async (terms: MsflRequestorTerms): Promise<unknown> => {
    if (terms.runId !== runId) return error('msfl-requestor-terms: not this run')
    if (requestor && keys && accepted) return acceptAgain(terms)
    if (requestor || opening) return error('msfl-requestor-terms: the terms are being set already')
    const named = terms.owners.map((o) => o.clientId)
    if (named.join('\n') !== p.owners.join('\n'))
      return error(
        `msfl-requestor-terms: the owners are ${named.join(', ')}, the job's are ${p.owners.join(', ')}`,
      )
    if (p.scaling && p.scaling.features.length > 0 && !terms.scaling)
      return error('msfl-requestor-terms: the job scales features and no scaling was sent')
    opening = true
    try {
      p.ledger.checkClaim('service-provider', terms.provider)
      for (const claim of terms.owners) p.ledger.checkClaim('data-owner', claim)
      const settlement = await p.ledger.settle(terms.ledger, {
        requestor: p.ledger.address,
        provider: terms.provider.address,
        owners: Object.fromEntries(terms.owners.map((o) => [o.clientId, o.address])),
      })
      const scaled =
        p.scaling && terms.scaling ? applyFeatureScaling(p.test, p.scaling, terms.scaling) : p.test
      test = l2NormalizeRows(scaled)
      keys = await p.createKeys(plan.he, gradientRotations(layout))
      const rule = createRobustRule(plan.selectionRule, { tolerate: plan.tolerate })
      requestor = createMsflRequestor({
        he: keys.evaluator,
        decryptor: keys.decryptor,
        layout,
        initialWeights: initial,
        learningRate: plan.msfl.learningRate,
        weightDecay: plan.msfl.weightDecay,
        rule,
        f: rule.assumedF(p.owners.length),
        minOwners: plan.msfl.minOwners,
        settlement,
        modelDigest: p.modelDigest,
        ...(screen ? { screen: screen.screen } : {}),
      })
      accepted = terms
      return p.signPublicKey(keys.publicMaterial)
    } catch (cause) {
      opening = false
      keys?.dispose()
      keys = undefined
      if (cause instanceof MsflError) return error(`msfl-requestor-terms: ${cause.message}`)
      throw cause
    }
  }
  const acceptAgain = (terms: MsflRequestorTerms): unknown => {
    const refusal = refuseChangedTerms(accepted!, terms, p.ledger)
    return refusal === undefined
      ? p.signPublicKey(keys!.publicMaterial)
      : error(`msfl-requestor-terms: ${refusal}`)
  }
  const metrics = () => (requestor && test ? evaluateMsfl(requestor.weights(), test) : undefined)

  return {
    ended: end.ended,
    weights: () => requestor?.weights() ?? initial,
    metrics,
    defence: () => screen?.summary(),
    dispose: () => keys?.dispose(),
    async handle(message: unknown): Promise<unknown> {
      const type = (message as { type?: unknown } | null)?.type
      if (type === 'run-ended') return end.handle(message)
      if (type === 'ledger-address-request')
        return answerRunRequest(ledgerAddressRequestSchema, message, { runId, clientId }, () =>
          p.ledger.claim(),
        )
      if (type === 'msfl-requestor-terms') {
        const parsed = msflRequestorTermsSchema.safeParse(message)
        if (!parsed.success) return error(describeZodError(parsed.error, 'msfl-requestor-terms'))
        return acceptTerms(parsed.data)
      }
      if (!requestor) return error(`${JSON.stringify(type)}: the run terms have not been set yet`)
      const reply = (await requestor.handle(message)) as { type?: unknown; round?: number }
      if (reply?.type !== 'msfl-round-closed') return reply
      const now = metrics()!
      p.onRound?.(reply.round!, now)
      return {
        ...reply,
        ...(now.accuracy === undefined ? {} : { accuracy: now.accuracy }),
        ...(now.loss === undefined || !Number.isFinite(now.loss) ? {} : { loss: now.loss }),
      }
    },
  }
}

/**
 * The terms again, from a provider that restarted (it keeps no copy of the public key): the
 * same chain, contract, price, addresses and scaling, each claim checked again, are answered
 * with the same key, signed afresh; anything changed mid-run is refused (the reason).
 */
function refuseChangedTerms(
  accepted: MsflRequestorTerms,
  terms: MsflRequestorTerms,
  ledger: Pick<MsflLedgerParty, 'checkClaim'>,
): string | undefined {
  const change = requestorTermsChange(accepted, terms)
  if (change !== undefined) return `refused mid-run: ${change}`
  try {
    ledger.checkClaim('service-provider', terms.provider)
    for (const claim of terms.owners) ledger.checkClaim('data-owner', claim)
  } catch (cause) {
    if (cause instanceof MsflError) return cause.message
    throw cause
  }
  return undefined
}
