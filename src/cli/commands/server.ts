import { readFileSync, unwatchFile, watchFile } from 'node:fs'
import { z } from 'zod'
import { loadDataset } from '../../adapters/data/index.ts'
import type { ProcessLog } from '../../adapters/logging/index.ts'
import { createCsprng } from '../../adapters/random/index.ts'
import { createRunDirectory } from '../../adapters/runs/index.ts'
import { createNodeSecaggCrypto } from '../../adapters/secagg-crypto/index.ts'
import {
  createMemoryTransport,
  type MemoryTransportParameters,
} from '../../adapters/transport/index.ts'
import {
  type FederationServer,
  startFederationServer,
} from '../../adapters/transport-grpc/index.ts'
import type { Dataset } from '../../core/data/dataset.ts'
import { parseDatasetSpec } from '../../core/data/parseDatasetSpec.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import { ownerIds } from '../../core/fl/partitionClients.ts'
import { encodeModelFile } from '../../core/model/modelFile.ts'
import type { RunStore } from '../../core/ports/runStore.ts'
import { KEY_HOLDER_ID } from '../../core/privacy/keyHolderMessages.ts'
import type { MsflRunPlan } from '../../runtime/config/planRun.ts'
import { holdOutValidation } from '../../runtime/defence/holdOutValidation.ts'
import type { DeployedAdrmAdapters } from '../../runtime/deploy/openDeployedAdrm.ts'
import { type ServedFederation, serveFederation } from '../../runtime/deploy/serveFederation.ts'
import { verifierNodeIds } from '../../runtime/smpc/verifyAndAggregate.ts'
import { deployedAdrmJson } from '../deploy/deployedAdrmJson.ts'
import {
  ledgerFlag,
  participantFlagsSchema,
  readCommandFlags,
  secondsFlag,
  splitEndpoint,
} from '../deploy/deployFlags.ts'
import { followOwnerConnections } from '../deploy/followOwnerConnections.ts'
import { type DeployedJob, isMsflJob } from '../deploy/loadJob.ts'
import { logFederationEvent, openAnyParticipant } from '../deploy/openParticipant.ts'
import type { providerAdrm } from '../deploy/providerAdrm.ts'
import type { MsflServerContext } from '../deploy/serveMsflJob.ts'
import { openMsflServerJournal, openServerJournal } from '../deploy/serverJournal.ts'
import { finalJson } from '../finalJson.ts'
import { newRunId } from '../newRunId.ts'
import { deployedPrivacyJson } from '../privacy/deployedPrivacyJson.ts'
import { openDeployedProtection, verifyKeyHolderPublic } from '../privacy/deployedProtection.ts'
import { startRunEvents } from '../startRunEvents.ts'

export const serverHelp = `msfl server --kit DIR --job FILE [options]

The service provider of a deployed federation: the only process that listens. It
verifies its startup kit and the job, accepts participants over gRPC with mutual
TLS 1.3 (certificates from the federation CA, checked against the CRL; each message
type allowed only to the role in the peer's certificate; every envelope signed, fresh
and never replayed), waits for the job's data owners (do-0 … as the job's clients
count names them), the requestor and, when the job has verify: smpc, its verifier
nodes (verifier-1 … verifier-k), then runs the job: the feature-scaling agreement and
the rounds (each local model verified on secret shares by the verifier processes, or
only their sum revealed with privacy: secagg; with defence: adrm every update screened
by ADRM here and each round paid by reputation on the --ledger chain, the requestor
funding it). Writes runs/<id>/ (events, metrics,
model) and prints the accuracy (and with privacy: dp… the ε spent, as the owners'
accountants or, at client level, its own count it). Every round step is written to the run store before it
is acted on; restarted on the same store (after a crash or kill -9), the server resumes
the unfinished run at its last durable step, and the owners reconnect on their own
(docs/deployment.md: a secagg, ckks or paillier round interrupted mid-way is skipped, never
run twice; an MS-FL round runs again, paid once; an ADRM run starts again).

  --kit DIR          startup kit from msfl pki issue --role service-provider
  --job FILE         the job file the kit was issued for (its SHA-256 is checked)
  --listen H:P       interface and port to listen on (default: the kit's endpoint)
  --requestor NAME   the requestor to deliver the model to (default: none)
  --wait SECONDS     how long to wait for every participant to connect (default 300)
  --crl FILE         the federation's current CRL (newer than the kit's); the file is
                     watched: a revocation during the run disconnects that participant
  --store SPEC       run store: a SQLite file or postgres://user@host:port/db
                     (default: <job out>/<job run id>/run.sqlite)
  --ledger rpc:URL   MS-FL jobs and defence: adrm: the JSON-RPC node of the run's
                     chain (default: the job's ledger); the provider deploys the
                     settlement contract from its own account, generated at start
                     (fund its address)
  --json             log JSON lines on stderr; print one JSON summary on stdout
  --quiet            no round progress
`

const serverFlags = participantFlagsSchema.extend({
  listen: participantFlagsSchema.shape.endpoint,
  requestor: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be a participant name')
    .optional(),
  wait: secondsFlag.default(300),
  store: z.string().min(1, 'must name a SQLite file or a postgres:// URL').optional(),
  ledger: ledgerFlag,
  quiet: z.boolean().default(false),
})

export async function server(argv: readonly string[]): Promise<number> {
  const flags = readCommandFlags(argv, serverFlags, serverHelp)
  if (!flags) return 0
  const opened = await openAnyParticipant(flags, 'service-provider')
  const { kit, job, log } = opened
  const { config } = job
  const listen = splitEndpoint(flags.listen ?? kit.endpoint, flags.listen ? 'listen' : 'kit')
  // The provider's held-out test rows; it never holds an owner's training rows. With
  // verify: smpc it also holds the validation rows the owners' files leave out.
  const data = await loadDataset(parseDatasetSpec(config.dataset), config.seed)
  const { test, scaling } = data
  const defences = isMsflJob(job) ? undefined : job.plan.defences
  const validation = holdOutValidation(defences, config.seed, data).validation
  const verifiers = defences?.verify ? verifierNodeIds(defences.verify.nodes) : []
  const expected = expectedPeers(job, flags.requestor, verifiers)
  const adrm = await openChain({ kit, job, log }, flags.ledger, validation)
  const connections = followOwnerConnections(() => endpoint, log)
  const endpoint = await startFederationServer({
    host: listen.host,
    port: listen.port,
    tls: kit.tls,
    run: job.runId,
    onEvent: (event) => {
      logFederationEvent(log)(event)
      connections.onEvent(event)
    },
  })
  // A participant revoked during the run is cut off at once (its stream is closed and it
  // cannot reconnect): the provider follows the CRL file it was given.
  const stopFollowingCrl = flags.crl ? followCrl(endpoint, flags.crl, log) : () => {}
  let store: RunStore | undefined
  let events: { flush(): Promise<void> } | undefined
  try {
    const owners = ownerIds(config.clients)
    log.info('listening', { host: listen.host, port: endpoint.port, run: job.runId })
    log.info('waiting for participants', { expected: expected.length, seconds: flags.wait })
    await endpoint.waitForPeers(expected, { deadlineMs: flags.wait * 1000 })
    const dir = createRunDirectory(config.out, newRunId())
    dir.write('config.json', `${JSON.stringify({ ...config, job: job.sha256 }, null, 2)}\n`)
    const { bus, now } = startRunEvents(dir.workingPath, { json: flags.json, quiet: flags.quiet })
    if (isMsflJob(job))
      return await serveDurableMsfl(
        { flags, kit, job, log, endpoint, dir, bus, now, data },
        connections,
      )
    const { plan } = job
    // Plain and protected jobs keep a run store (a protected round left open by a restart is
    // skipped, serveProtectedJob); ADRM does not: its detectors' memory lives in this process.
    const durable = !adrm
      ? await openServerJournal({
          flags,
          plan,
          runId: job.runId,
          self: kit.name,
          out: config.out,
          endpoint,
          bus,
          now,
          log,
        })
      : undefined
    store = durable?.store
    events = durable?.events
    const journal = durable?.journal
    if (journal) connections.attach(journal)
    const result = await serveFederation({
      runId: job.runId,
      plan,
      owners,
      transport: endpoint.transport,
      test,
      scaling,
      crypto: createNodeSecaggCrypto(),
      ...(journal ? { journal } : {}),
      onScalingKnown: (announce) => connections.announceScaling(announce),
      onProtectionKnown: (announce) => connections.announceProtection(announce),
      aggregationRng: createCsprng(),
      noiseRng: createCsprng,
      ...(flags.requestor ? { requestor: flags.requestor } : {}),
      protection: {
        open: openDeployedProtection,
        checkKeyHolder: (publicKey) => verifyKeyHolderPublic(kit, job.runId, publicKey),
      },
      ...(validation && defences?.verify ? { verification: localVerification(validation) } : {}),
      ...(adrm ? { adrm } : {}),
      emit: bus.emit,
      now,
    })
    const stats = endpoint.transport.stats()
    const wire = endpoint.wireStats()
    dir.write(
      'metrics.json',
      `${JSON.stringify({ runId: job.runId, final: result.final, history: result.history, ...reportsOf(result), transport: { ...stats, wire } }, null, 2)}\n`,
    )
    dir.write('model.bin', modelFile(result, job, test.classNames))
    const runDir = dir.complete()
    const summary = {
      runId: job.runId,
      ...finalJson(result.final),
      ...reportsOf(result),
      runDir,
      transport: { ...stats, wire },
    }
    if (flags.json) process.stdout.write(`${JSON.stringify(summary)}\n`)
    else
      process.stdout.write(
        `final accuracy ${((result.final.accuracy ?? 0) * 100).toFixed(2)} % after ${result.history.length} rounds${result.privacy ? `, ε = ${result.privacy.epsilon.toFixed(4)} (δ = ${result.privacy.delta})` : ''} — ${runDir}\n`,
      )
    return 0
  } finally {
    stopFollowingCrl()
    await endpoint.close()
    await events?.flush()
    await store?.close()
  }
}

/**
 * An MS-FL job on its run store (openMsflServerJournal): masks are never stored, so an
 * interrupted round runs again, paid once (docs/deployment.md). Closes the store at the end.
 */
async function serveDurableMsfl(
  c: Omit<MsflServerContext, 'journal' | 'flags' | 'endpoint'> & {
    readonly flags: MsflServerContext['flags'] & { readonly store?: string | undefined }
    readonly endpoint: FederationServer
  },
  connections: ReturnType<typeof followOwnerConnections>,
): Promise<number> {
  const { job, kit } = c
  const durable = await openMsflServerJournal({
    ...{ flags: c.flags, plan: job.plan, runId: job.runId, job: job.sha256, self: kit.name },
    ...{ out: job.config.out, endpoint: c.endpoint, bus: c.bus, now: c.now, log: c.log },
  })
  try {
    connections.attach(durable.journal)
    const { serveMsflJob } = await import('../deploy/serveMsflJob.ts')
    return await serveMsflJob({ ...c, journal: durable.journal })
  } finally {
    await durable.events.flush()
    await durable.store.close()
  }
}

/**
 * The provider's checks of a job's chain before it listens: an MS-FL job's ledger must be
 * one every party reaches; a FedAvg job with `defence: adrm` pays by reputation on such a
 * chain (its account, logged now). The chain client loads only for these jobs, so a plain
 * FedAvg provider starts without it.
 */
async function openChain(
  c: Omit<Parameters<typeof providerAdrm>[0], 'job'> & {
    readonly job: DeployedJob | DeployedJob<MsflRunPlan>
  },
  flag: string | undefined,
  validation: Parameters<typeof providerAdrm>[2],
): Promise<DeployedAdrmAdapters | undefined> {
  const { job } = c
  if (isMsflJob(job)) {
    const { sharedLedger } = await import('../deploy/openLedgerParty.ts')
    sharedLedger(flag ?? job.plan.ledger)
    return undefined
  }
  if (!job.plan.defences?.adrm) return undefined
  return (await import('../deploy/providerAdrm.ts')).providerAdrm({ ...c, job }, flag, validation)
}

/**
 * A DP job's (ε, δ) as the owners or the provider's accountant counted them, and an ADRM
 * job's decisions and the chain's totals, for the reports.
 */
function reportsOf(result: Pick<ServedFederation, 'privacy' | 'defence'>): {
  privacy?: unknown
  adrm?: unknown
  ledger?: unknown
} {
  return {
    ...(result.privacy === undefined ? {} : { privacy: deployedPrivacyJson(result.privacy) }),
    ...deployedAdrmJson(result.defence),
  }
}

/** The trained model as an msfl model file. */
function modelFile(
  result: Pick<ServedFederation, 'model' | 'params'>,
  job: DeployedJob,
  classNames: readonly string[],
): Uint8Array {
  return encodeModelFile(result.model.spec, result.params, {
    runId: job.runId,
    dataset: job.config.dataset,
    classNames: [...classNames],
  })
}

/** SMPC verification with the provider's validation rows; the dealer runs in this process. */
function localVerification(validation: Dataset) {
  return {
    validation,
    csprng: createCsprng,
    createLocalTransport: (handlers: MemoryTransportParameters['handlers']) =>
      createMemoryTransport({ handlers }),
  }
}

/** Every participant the job needs connected: owners, requestor, verifier nodes, key holder. */
function expectedPeers(
  job: DeployedJob | DeployedJob<MsflRunPlan>,
  requestor: string | undefined,
  verifiers: readonly string[],
): string[] {
  if (isMsflJob(job) && !requestor)
    throw new MsflError(
      'CONFIG_INVALID',
      '--requestor: an MS-FL job needs its requestor named (it holds the key and pays)',
    )
  if (!isMsflJob(job) && job.plan.defences?.adrm && !requestor)
    throw new MsflError(
      'CONFIG_INVALID',
      '--requestor: a job with defence: adrm needs its requestor named (it pays each round by reputation)',
    )
  const hiding = job.plan.protocol === 'protected' ? job.plan.privacy.hiding : undefined
  const keyHolder = hiding && hiding.name !== 'secagg' ? [KEY_HOLDER_ID] : []
  return [
    ...ownerIds(job.config.clients),
    ...(requestor ? [requestor] : []),
    ...verifiers,
    ...keyHolder,
  ]
}

/** Reloads the CRL whenever its file changes; returns how to stop. A bad file keeps the old CRL. */
function followCrl(
  endpoint: Pick<FederationServer, 'updateCrl'>,
  file: string,
  log: ProcessLog,
): () => void {
  const reload = () => {
    try {
      endpoint.updateCrl(readFileSync(file, 'utf8'))
      log.info('CRL reloaded', { file })
    } catch (error) {
      log.error('CRL not reloaded; the previous one stays in force', {
        file,
        reason: error instanceof Error ? error.message : String(error),
      })
    }
  }
  watchFile(file, { interval: 1000 }, reload)
  return () => unwatchFile(file, reload)
}
