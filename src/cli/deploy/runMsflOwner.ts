import { createKitSecaggIdentity } from '../../adapters/pki/index.ts'
import { createNodeSecaggCrypto } from '../../adapters/secagg-crypto/index.ts'
import type { Dataset } from '../../core/data/dataset.ts'
import type { FeatureScalingPlan } from '../../core/data/featureScaling.ts'
import type { MsflRunPlan } from '../../runtime/config/planRun.ts'
import { createMsflOwnerParticipant } from '../../runtime/deploy/createMsflOwnerParticipant.ts'
import { msflAdapters } from '../executeMsflSimulation.ts'
import type { DeployedJob } from './loadJob.ts'
import { verifyMsflPublicKey } from './msflPublicKey.ts'
import { openJobLedger } from './openLedgerParty.ts'
import type { OpenedParticipant } from './openParticipant.ts'
import { serveParticipant } from './serveParticipant.ts'

/**
 * `msfl owner` for an MS-FL job: its own ledger account (`--ledger`, else the job's), its
 * SecAgg statements signed with its kit key, and createMsflOwnerParticipant on its rows.
 * After a completed run it reads what it was paid from the chain itself and withdraws any
 * payment that waits for it.
 */
export async function runMsflOwner(
  opened: OpenedParticipant<DeployedJob<MsflRunPlan>>,
  o: {
    readonly data: Dataset
    readonly scaling: FeatureScalingPlan | undefined
    readonly ledger?: string | undefined
    readonly endpoint?: string | undefined
  },
): Promise<number> {
  const { kit, job, log } = opened
  const ledger = openJobLedger(opened, o.ledger)
  const participant = createMsflOwnerParticipant({
    runId: job.runId,
    clientId: kit.name,
    data: o.data,
    scaling: o.scaling,
    owners: job.config.clients,
    seed: job.config.seed,
    batchSize: job.plan.msfl.batchSize,
    slots: msflAdapters.slotsOf(job.plan.he),
    crypto: createNodeSecaggCrypto({
      owner: { clientId: kit.name, identity: createKitSecaggIdentity(kit) },
    }),
    ledger,
    checkPublicKey: (publicKey) => verifyMsflPublicKey(kit, job.runId, publicKey),
    createEvaluator: msflAdapters.createEvaluator,
    floodRng: msflAdapters.csprng(),
  })
  try {
    const code = await serveParticipant(opened, participant, o.endpoint)
    const terms = participant.terms()
    if (code === 0 && terms) {
      const { paid, withdrawn } = await ledger.collect(terms.ledger)
      log.info('paid on chain', {
        address: ledger.address,
        wei: paid.toString(),
        withdrawn: withdrawn.toString(),
      })
    }
    return code
  } finally {
    participant.dispose()
  }
}
