import { createCsprng } from '../../adapters/random/index.ts'
import type { ProtectionTerms } from '../../core/deploy/deploymentMessages.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import { ownerIds } from '../../core/fl/partitionClients.ts'
import type { Model } from '../../core/model/model.ts'
import type { PrivacyLedger } from '../../core/ports/privacyLedger.ts'
import type { SecaggCrypto } from '../../core/ports/secaggCrypto.ts'
import type { KeyHolderPublic } from '../../core/privacy/keyHolderMessages.ts'
import type { FederatedRunPlan } from '../../runtime/config/planRun.ts'
import type { OwnerParticipantParameters } from '../../runtime/deploy/createOwnerParticipant.ts'
import { openOwnerDp } from '../../runtime/deploy/openOwnerDp.ts'
import {
  deployedProtection,
  summedUpdatesFloor,
} from '../../runtime/deploy/serveProtectedRounds.ts'
import { openDeployedProtection } from '../privacy/deployedProtection.ts'

/**
 * A data owner's `privacy` for a deployed job, all of it from the job file its kit pins: the
 * protection it opens once the provider's terms arrive (after `checkKeyHolder` verified the
 * key holder's signed key), and its own DP with noise from this process's CSPRNG. The terms
 * cannot loosen the job: the floor on a protected sum is the job's, and under client-level
 * DP an owner refuses terms that would scale its update by anything but 1.
 */
export function ownerPrivacy(p: {
  readonly runId: string
  readonly clientId: string
  /** The owner's row count (sample-level DP needs δ below 1/rows). */
  readonly rows: number
  readonly plan: FederatedRunPlan
  readonly model: Model
  readonly crypto: SecaggCrypto
  readonly checkKeyHolder: (publicKey: KeyHolderPublic) => void
  /** Opens the owner's privacy ledger (openPrivacyLedger); only a DP job opens it. */
  readonly ledger: () => PrivacyLedger
}): Pick<OwnerParticipantParameters, 'openProtection' | 'dp'> {
  const { plan } = p
  if (plan.protocol !== 'protected') return {}
  const hiding = deployedProtection(plan)
  const { dp } = plan.privacy
  const clientLevel = dp?.options.level === 'client'
  return {
    ...(dp
      ? {
          dp: openOwnerDp({
            runId: p.runId,
            plan,
            dp,
            clientId: p.clientId,
            rows: p.rows,
            model: p.model,
            noiseRng: createCsprng,
            ledger: p.ledger(),
          }),
        }
      : {}),
    ...(hiding
      ? {
          openProtection: async (terms: ProtectionTerms) => {
            if (terms.keyHolder) p.checkKeyHolder(terms.keyHolder)
            if (clientLevel && terms.referenceExamples !== 1)
              throw new MsflError(
                'PROTOCOL',
                `referenceExamples: client-level DP updates are not scaled (1), got ${terms.referenceExamples}`,
              )
            return openDeployedProtection(
              hiding,
              {
                runId: p.runId,
                clients: ownerIds(plan.basics.clients),
                rounds: plan.basics.rounds,
                minContributors: summedUpdatesFloor(plan),
                referenceExamples: terms.referenceExamples,
                dropsOut: () => false,
              },
              terms.keyHolder,
              p.crypto,
            )
          },
        }
      : {}),
  }
}
