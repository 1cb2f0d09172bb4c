import type { Dataset } from '../../core/data/dataset.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import type { Model } from '../../core/model/model.ts'
import type { MessageHandler, Transport } from '../../core/ports/transport.ts'
import type { Rng } from '../../core/rng/rng.ts'
import type { VerifyConfig } from '../../core/verification/parseVerifySpec.ts'
import type { FederatedRunPlan } from '../config/planRun.ts'
import { createSmpcStage } from '../defence/createSmpcStage.ts'
import type { RoundStages } from '../roundStages.ts'
import { relayVerifierPushes } from '../smpc/relayVerifierPushes.ts'
import { routeToRemoteNodes } from '../smpc/routeToRemoteNodes.ts'
import type { ServeFederationParameters } from './serveFederation.ts'

/**
 * What the provider needs to run the job's SMPC verification with verifier processes: it
 * coordinates, deals (the dealer is part of the provider, see docs/deployment.md for the
 * trust this puts in it) and relays the nodes' pushes to each other.
 */
export interface DeployedVerification {
  /** The validation rows held back from the owners (holdOutValidation), not yet scaled. */
  readonly validation: Dataset
  /** Shares, masks and triples. */
  readonly csprng: () => Rng
  /** The in-memory transport over this process's own SMPC participants (the dealer). */
  readonly createLocalTransport: (handlers: ReadonlyMap<string, MessageHandler>) => Transport
}

/** The job's `verify` config when the deployment can run it, or why it cannot. */
export function deployedVerify(
  plan: FederatedRunPlan,
  verification: DeployedVerification | undefined,
): VerifyConfig | undefined {
  const defences = plan.defences
  if (!defences?.verify) return undefined
  if (!verification)
    throw new MsflError('CONFIG_INVALID', 'verify: the provider was given no validation rows')
  if (defences.verify.validation === 'secret')
    throw new MsflError(
      'CONFIG_INVALID',
      'verify: validation=secret needs a dealer the provider is not: the provider deals and relays the openings, so it would learn the secret rows; use validation=public',
    )
  return defences.verify
}

/** The SMPC aggregation stage on verifier processes, reached through the provider's relay. */
export function verificationStage(
  p: ServeFederationParameters,
  config: VerifyConfig,
  verifiers: readonly string[],
  model: Model,
  validation: Dataset,
  verification: DeployedVerification,
): RoundStages {
  const remote = relayVerifierPushes(p.transport, verifiers)
  const stage = createSmpcStage({
    runId: p.runId,
    config,
    model,
    validation,
    rng: verification.csprng,
    createTransport: (handlers) =>
      routeToRemoteNodes(handlers, verification.createLocalTransport(handlers), remote),
    remoteNodes: true,
    emit: p.emit,
    now: p.now,
  })
  return { aggregate: stage.aggregate }
}
