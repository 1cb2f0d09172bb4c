import type { ProcessLog } from '../../adapters/logging/index.ts'
import type { StartupKit } from '../../adapters/pki/index.ts'
import type { RunDirectory } from '../../adapters/runs/index.ts'
import { createNodeSecaggCrypto } from '../../adapters/secagg-crypto/index.ts'
import type { FederationServer } from '../../adapters/transport-grpc/index.ts'
import type { DatasetSplit } from '../../core/data/dataset.ts'
import { ownerIds } from '../../core/fl/partitionClients.ts'
import type { MsflRunPlan } from '../../runtime/config/planRun.ts'
import type { EventBus } from '../../runtime/createEventBus.ts'
import { serveMsfl } from '../../runtime/deploy/serveMsfl.ts'
import type { MsflJournal } from '../../runtime/orchestrator/openMsflJournal.ts'
import { msflAdapters } from '../executeMsflSimulation.ts'
import { finalJson } from '../finalJson.ts'
import type { DeployedJob } from './loadJob.ts'
import { verifyMsflPublicKey } from './msflPublicKey.ts'
import { openJobLedger } from './openLedgerParty.ts'

/** What `msfl server` has in hand when the job is MS-FL and every participant is connected. */
export interface MsflServerContext {
  readonly flags: {
    readonly requestor?: string | undefined
    readonly ledger?: string | undefined
    readonly json: boolean
  }
  readonly kit: StartupKit
  readonly job: DeployedJob<MsflRunPlan>
  readonly log: ProcessLog
  readonly endpoint: Pick<FederationServer, 'transport' | 'wireStats'>
  readonly dir: RunDirectory
  readonly bus: EventBus
  readonly now: () => number
  /** The job's dataset: the provider uses its test split's shape and scaling plan only. */
  readonly data: DatasetSplit
  /** The run's journal on its store: a restarted provider continues the run from it. */
  readonly journal?: MsflJournal
}

/**
 * `msfl server` for an MS-FL job: the provider's account on the chain named by `--ledger`
 * (or the job's `ledger: rpc:<url>`), then serveMsfl over the connected participants. Writes
 * metrics.json (rounds, the requestor's reported accuracy, the chain's totals) and prints
 * the summary; the model stays with the requestor, the provider never holds it.
 */
export async function serveMsflJob(c: MsflServerContext): Promise<number> {
  const { job, kit, flags } = c
  // The provider's account is derived from its kit and the run: a restarted provider delivers
  // and declines on the run's contract from the address every party accepted.
  const ledger = openJobLedger(c, flags.ledger, true)
  const result = await serveMsfl({
    runId: job.runId,
    plan: job.plan,
    owners: ownerIds(job.config.clients),
    requestor: flags.requestor!,
    transport: c.endpoint.transport,
    test: c.data.test,
    scaling: c.data.scaling,
    crypto: createNodeSecaggCrypto(),
    slots: msflAdapters.slotsOf(job.plan.he),
    ledger,
    checkPublicKey: (publicKey) => verifyMsflPublicKey(kit, job.runId, publicKey),
    createEvaluator: msflAdapters.createEvaluator,
    maskRng: msflAdapters.csprng(),
    digest: msflAdapters.digest,
    ...(c.journal ? { journal: c.journal } : {}),
    emit: c.bus.emit,
    now: c.now,
  })
  const stats = c.endpoint.transport.stats()
  const wire = c.endpoint.wireStats()
  const chain = {
    chainId: result.ledger.chainId,
    contract: result.ledger.contract,
    deposit: result.ledger.deposit.toString(),
    payouts: Object.fromEntries(
      Object.entries(result.ledger.payouts).map(([name, wei]) => [name, wei.toString()]),
    ),
    refund: result.ledger.refund.toString(),
    escrowBalance: result.ledger.escrowBalance.toString(),
  }
  c.dir.write(
    'metrics.json',
    `${JSON.stringify({ runId: job.runId, final: result.final, history: result.history, ledger: chain, transport: { ...stats, wire } }, null, 2)}\n`,
  )
  const runDir = c.dir.complete()
  const summary = {
    runId: job.runId,
    protocol: 'msfl',
    ...finalJson(result.final),
    rounds: result.history.length,
    ledger: chain,
    runDir,
    transport: { ...stats, wire },
  }
  if (flags.json) process.stdout.write(`${JSON.stringify(summary)}\n`)
  else
    process.stdout.write(
      `final accuracy ${((result.final.accuracy ?? 0) * 100).toFixed(2)} % (the requestor's report) after ${result.history.length} rounds; ${chain.deposit} wei deposited, ${chain.refund} refunded, escrow ${chain.escrowBalance} — ${runDir}\n`,
    )
  return 0
}
