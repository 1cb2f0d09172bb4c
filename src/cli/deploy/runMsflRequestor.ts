import { createHash } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { loadDataset } from '../../adapters/data/index.ts'
import type { ProcessLog } from '../../adapters/logging/index.ts'
import { parseDatasetSpec } from '../../core/data/parseDatasetSpec.ts'
import type { EventSink } from '../../core/events/runEvent.ts'
import { ownerIds } from '../../core/fl/partitionClients.ts'
import { serialiseMsflModel } from '../../core/msfl/msflModel.ts'
import type { MsflRunPlan } from '../../runtime/config/planRun.ts'
import { createMsflRequestorParticipant } from '../../runtime/deploy/createMsflRequestorParticipant.ts'
import { msflAdapters } from '../executeMsflSimulation.ts'
import type { DeployedJob } from './loadJob.ts'
import { signMsflPublicKey } from './msflPublicKey.ts'
import { openJobLedger } from './openLedgerParty.ts'
import type { OpenedParticipant } from './openParticipant.ts'
import { serveParticipant } from './serveParticipant.ts'

/**
 * `msfl requestor` for an MS-FL job: its CKKS keys are generated in this process (the
 * secret key never leaves it), its ledger account deposits and registers each round's
 * model with its own key, and after a completed run it writes the model (the canonical
 * bytes whose keccak256 it registered on the chain) to `out`. With `defence: adrm` it logs
 * every flag, quarantine and block as it decides it, and the reputations at the end.
 */
export async function runMsflRequestor(
  opened: OpenedParticipant<DeployedJob<MsflRunPlan>>,
  o: {
    readonly out: string
    readonly ledger?: string | undefined
    readonly endpoint?: string | undefined
  },
): Promise<number> {
  const { kit, job, log } = opened
  // The job's public dataset: its test split is what the requestor measures its model on.
  const data = await loadDataset(parseDatasetSpec(job.config.dataset), job.config.seed)
  const ledger = openJobLedger(opened, o.ledger)
  const participant = createMsflRequestorParticipant({
    runId: job.runId,
    clientId: kit.name,
    plan: job.plan,
    owners: ownerIds(job.config.clients),
    test: data.test,
    scaling: data.scaling,
    slots: msflAdapters.slotsOf(job.plan.he),
    ledger,
    createKeys: msflAdapters.createRequestor,
    signPublicKey: (material) => signMsflPublicKey(kit, job.runId, material),
    modelDigest: msflAdapters.modelDigest,
    onRound: (round, metrics) =>
      log.info('round closed', {
        round,
        ...(metrics.accuracy === undefined ? {} : { accuracy: metrics.accuracy }),
      }),
    emit: logDefence(log),
    now: Date.now,
  })
  try {
    const code = await serveParticipant(opened, participant, o.endpoint)
    const defence = participant.defence()
    if (defence)
      log.info('adrm summary', {
        inspected: defence.adrm.inspected,
        flagged: defence.adrm.flagged,
        reputations: JSON.stringify(defence.adrm.reputations),
        blocks: JSON.stringify(defence.blocks),
      })
    if (code !== 0) return code
    const model = serialiseMsflModel(participant.weights())
    mkdirSync(dirname(o.out), { recursive: true })
    writeFileSync(o.out, model, { flag: 'wx' })
    log.info('model written', {
      out: o.out,
      sha256: createHash('sha256').update(model).digest('hex'),
      accuracy: participant.metrics()?.accuracy,
    })
    return 0
  } finally {
    participant.dispose()
  }
}

/** ADRM's decisions at this requestor as log lines (reputation changes only at the end). */
function logDefence(log: ProcessLog): EventSink {
  return (event) => {
    switch (event.type) {
      case 'update-flagged':
        log.info('adrm flagged', {
          round: event.round,
          owner: event.clientId,
          severity: event.severity,
          reasons: event.reasons.map((r) => `${r.detector}=${r.value.toPrecision(3)}`).join(','),
        })
        return
      case 'update-quarantined':
      case 'client-blocked':
      case 'client-unblocked':
        log.info(`adrm ${event.type.replace('update-', '').replace('client-', '')}`, {
          round: event.round,
          owner: event.clientId,
          reason: event.reason,
        })
        return
      case 'anomaly-model-replaced':
        log.info('adrm anomaly model replaced', { round: event.round, reason: event.reason })
        return
      default:
        return
    }
  }
}
