import { modelDigest } from '../../adapters/ledger-evm/index.ts'
import type { ProcessLog } from '../../adapters/logging/index.ts'
import type { StartupKit } from '../../adapters/pki/index.ts'
import type { Dataset } from '../../core/data/dataset.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import type { DeployedAdrmAdapters } from '../../runtime/deploy/openDeployedAdrm.ts'
import type { DeployedJob } from './loadJob.ts'
import { openLedgerParty, sharedLedger } from './openLedgerParty.ts'

/**
 * `msfl server` for a FedAvg job with `defence: adrm`: the provider's account on the chain
 * named by `--ledger` (else the job's `ledger`, which must be rpc:<url>: every party reaches
 * it), and the validation rows ADRM's model manager measures on. Undefined without ADRM.
 */
export function providerAdrm(
  c: { readonly kit: StartupKit; readonly job: DeployedJob; readonly log: ProcessLog },
  flag: string | undefined,
  validation: Dataset | undefined,
): DeployedAdrmAdapters | undefined {
  const defences = c.job.plan.defences
  if (!defences?.adrm) return undefined
  const ledger = flag ?? defences.ledger
  sharedLedger(ledger)
  if (!validation)
    throw new MsflError('CONFIG_INVALID', 'defence: ADRM has no validation rows at the provider')
  return {
    validation,
    ledger: openLedgerParty({ kit: c.kit, runId: c.job.runId, ledger, log: c.log }),
    modelDigest,
  }
}
