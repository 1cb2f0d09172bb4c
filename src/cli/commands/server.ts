import { readFileSync, unwatchFile, watchFile } from 'node:fs'
import { z } from 'zod'
import { loadDataset } from '../../adapters/data/index.ts'
import { createCsprng } from '../../adapters/random/index.ts'
import { createRunDirectory } from '../../adapters/runs/index.ts'
import { createNodeSecaggCrypto } from '../../adapters/secagg-crypto/index.ts'
import { startFederationServer } from '../../adapters/transport-grpc/index.ts'
import { parseDatasetSpec } from '../../core/data/parseDatasetSpec.ts'
import { ownerIds } from '../../core/fl/partitionClients.ts'
import { encodeModelFile } from '../../core/model/modelFile.ts'
import { serveFederation } from '../../runtime/deploy/serveFederation.ts'
import {
  participantFlagsSchema,
  readCommandFlags,
  secondsFlag,
  splitEndpoint,
} from '../deploy/deployFlags.ts'
import { logFederationEvent, openParticipant } from '../deploy/openParticipant.ts'
import { finalJson } from '../finalJson.ts'
import { newRunId } from '../newRunId.ts'
import { startRunEvents } from '../startRunEvents.ts'

export const serverHelp = `msfl server --kit DIR --job FILE [options]

The service provider of a deployed federation: the only process that listens. It
verifies its startup kit and the job, accepts participants over gRPC with mutual
TLS 1.3 (certificates from the federation CA, checked against the CRL; each message
type allowed only to the role in the peer's certificate; every envelope signed, fresh
and never replayed), waits for the job's data owners (do-0 … as the job's clients
count names them) and the requestor, then runs the job: the feature-scaling agreement
and the rounds. Writes runs/<id>/ (events, metrics, model) and prints the accuracy.

  --kit DIR          startup kit from msfl pki issue --role service-provider
  --job FILE         the job file the kit was issued for (its SHA-256 is checked)
  --listen H:P       interface and port to listen on (default: the kit's endpoint)
  --requestor NAME   the requestor to deliver the model to (default: none)
  --wait SECONDS     how long to wait for every participant to connect (default 300)
  --crl FILE         the federation's current CRL (newer than the kit's); the file is
                     watched: a revocation during the run disconnects that participant
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
  quiet: z.boolean().default(false),
})

export async function server(argv: readonly string[]): Promise<number> {
  const flags = readCommandFlags(argv, serverFlags, serverHelp)
  if (!flags) return 0
  const opened = await openParticipant(flags, 'service-provider')
  const { kit, job, log } = opened
  const { config, plan } = job
  const listen = splitEndpoint(flags.listen ?? kit.endpoint, flags.listen ? 'listen' : 'kit')
  // The provider's held-out test rows; it never holds an owner's training rows.
  const { test, scaling } = await loadDataset(parseDatasetSpec(config.dataset), config.seed)
  const endpoint = await startFederationServer({
    host: listen.host,
    port: listen.port,
    tls: kit.tls,
    run: job.runId,
    onEvent: logFederationEvent(log),
  })
  // A participant revoked during the run is cut off at once (its stream is closed and it
  // cannot reconnect): the provider follows the CRL file it was given.
  const crlFile = flags.crl
  const reloadCrl = () => {
    try {
      endpoint.updateCrl(readFileSync(crlFile!, 'utf8'))
      log.info('CRL reloaded', { file: crlFile })
    } catch (error) {
      log.error('CRL not reloaded; the previous one stays in force', {
        file: crlFile,
        reason: error instanceof Error ? error.message : String(error),
      })
    }
  }
  if (crlFile) watchFile(crlFile, { interval: 1000 }, reloadCrl)
  try {
    const owners = ownerIds(config.clients)
    const expected = flags.requestor ? [...owners, flags.requestor] : owners
    log.info('listening', { host: listen.host, port: endpoint.port, run: job.runId })
    log.info('waiting for participants', { expected: expected.length, seconds: flags.wait })
    await endpoint.waitForPeers(expected, { deadlineMs: flags.wait * 1000 })
    const dir = createRunDirectory(config.out, newRunId())
    dir.write('config.json', `${JSON.stringify({ ...config, job: job.sha256 }, null, 2)}\n`)
    const { bus, now } = startRunEvents(dir.workingPath, { json: flags.json, quiet: flags.quiet })
    const result = await serveFederation({
      runId: job.runId,
      plan,
      owners,
      transport: endpoint.transport,
      test,
      scaling,
      crypto: createNodeSecaggCrypto(),
      aggregationRng: createCsprng(),
      ...(flags.requestor ? { requestor: flags.requestor } : {}),
      emit: bus.emit,
      now,
    })
    const stats = endpoint.transport.stats()
    const wire = endpoint.wireStats()
    dir.write(
      'metrics.json',
      `${JSON.stringify({ runId: job.runId, final: result.final, history: result.history, transport: { ...stats, wire } }, null, 2)}\n`,
    )
    dir.write(
      'model.bin',
      encodeModelFile(result.model.spec, result.params, {
        runId: job.runId,
        dataset: config.dataset,
        classNames: [...test.classNames],
      }),
    )
    const runDir = dir.complete()
    const summary = {
      runId: job.runId,
      ...finalJson(result.final),
      runDir,
      transport: { ...stats, wire },
    }
    if (flags.json) process.stdout.write(`${JSON.stringify(summary)}\n`)
    else
      process.stdout.write(
        `final accuracy ${((result.final.accuracy ?? 0) * 100).toFixed(2)} % after ${result.history.length} rounds — ${runDir}\n`,
      )
    return 0
  } finally {
    if (crlFile) unwatchFile(crlFile, reloadCrl)
    await endpoint.close()
  }
}
