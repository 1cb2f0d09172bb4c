import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { loadDataset } from '../../adapters/data/index.ts'
import { parseDatasetSpec } from '../../core/data/parseDatasetSpec.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import { createModel } from '../../core/model/createModel.ts'
import { encodeModelFile } from '../../core/model/modelFile.ts'
import { createRequestorParticipant } from '../../runtime/deploy/createRequestorParticipant.ts'
import { resolveModelSpec } from '../../runtime/resolveModelSpec.ts'
import {
  ledgerFlag,
  participantFlagsSchema,
  pathFlag,
  readCommandFlags,
} from '../deploy/deployFlags.ts'
import { isMsflJob } from '../deploy/loadJob.ts'
import { openAnyParticipant } from '../deploy/openParticipant.ts'
import { serveParticipant } from '../deploy/serveParticipant.ts'

export const requestorHelp = `msfl requestor --kit DIR --job FILE --out FILE [options]

The model requestor of a deployed federation, as a long-running process: it verifies
its startup kit and the job, connects out to the service provider (gRPC, mutual TLS
1.3) and waits for the trained model, which it checks against the job (size, finite
values) and writes to --out as an msfl model file. Exits 0 when the run completed.

  --kit DIR        startup kit from msfl pki issue --role requestor
  --job FILE       the job file the kit was issued for (its SHA-256 is checked)
  --out FILE       where to write the delivered model (must not exist)
  --crl FILE       the federation's current CRL (newer than the kit's)
  --endpoint H:P   reach the service provider here instead of the kit's endpoint
  --ledger rpc:URL MS-FL jobs and defence: adrm: the JSON-RPC node of the run's
                   chain (default: the job's ledger); deposits come from an account
                   generated at start (fund its address); MS-FL: the CKKS keys are
                   generated here
  --json           log one JSON object per line on stderr
`

const requestorFlags = participantFlagsSchema.extend({
  out: pathFlag('model file to write'),
  ledger: ledgerFlag,
})

export async function requestor(argv: readonly string[]): Promise<number> {
  const flags = readCommandFlags(argv, requestorFlags, requestorHelp)
  if (!flags) return 0
  const out = resolve(flags.out)
  if (existsSync(out)) throw new MsflError('CONFIG_INVALID', `--out ${out}: already exists`)
  const opened = await openAnyParticipant(flags, 'requestor')
  const { kit, job, log } = opened
  // The MS-FL engine and the chain client load only for the jobs that use them.
  if (isMsflJob(job))
    return (await import('../deploy/runMsflRequestor.ts')).runMsflRequestor(
      { ...opened, job },
      { ...flags, out },
    )
  // The job's public dataset fixes the model's shape (features, classes); no rows are used.
  const data = await loadDataset(parseDatasetSpec(job.config.dataset), job.config.seed)
  const spec = resolveModelSpec(job.config.model, data.test)
  const payment = job.plan.defences?.adrm
    ? (await import('../deploy/participantAdrm.ts')).requestorAdrmPayment(
        { ...opened, job },
        flags.ledger,
      )
    : undefined
  const participant = createRequestorParticipant({
    ...(payment ? { payment } : {}),
    runId: job.runId,
    clientId: kit.name,
    numParams: createModel(spec).numParams,
    async store(model) {
      mkdirSync(dirname(out), { recursive: true })
      writeFileSync(
        out,
        encodeModelFile(spec, model.params, {
          runId: job.runId,
          dataset: job.config.dataset,
          classNames: [...data.test.classNames],
        }),
        { flag: 'wx' },
      )
      const bytes = new Uint8Array(
        model.params.buffer,
        model.params.byteOffset,
        model.params.byteLength,
      )
      const sha256 = createHash('sha256').update(bytes).digest('hex')
      log.info('model received', {
        out,
        sha256,
        rounds: model.rounds,
        ...(model.accuracy === undefined ? {} : { accuracy: model.accuracy }),
        ...(model.privacy === undefined ? {} : model.privacy),
      })
      return sha256
    },
  })
  return serveParticipant(opened, participant, flags.endpoint)
}
