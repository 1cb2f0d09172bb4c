import { join } from 'node:path'
import { builtinJobSchema, readOwnerData } from '../../adapters/data/index.ts'
import { openPrivacyLedger } from '../../adapters/owner-state/index.ts'
import { createKitSecaggIdentity } from '../../adapters/pki/index.ts'
import { createNodeSecaggCrypto } from '../../adapters/secagg-crypto/index.ts'
import { encodeOwnerRows } from '../../core/data/encodeOwnerRows.ts'
import { parseDatasetSpec } from '../../core/data/parseDatasetSpec.ts'
import { createTabularEncoder } from '../../core/data/tabularEncoder.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import { createModel } from '../../core/model/createModel.ts'
import { ownerTrainingRows } from '../../runtime/defence/holdOutValidation.ts'
import { createOwnerParticipant } from '../../runtime/deploy/createOwnerParticipant.ts'
import { resolveModelSpec } from '../../runtime/resolveModelSpec.ts'
import {
  ledgerFlag,
  participantFlagsSchema,
  pathFlag,
  readCommandFlags,
} from '../deploy/deployFlags.ts'
import { isMsflJob } from '../deploy/loadJob.ts'
import { openAnyParticipant } from '../deploy/openParticipant.ts'
import { ownerPrivacy } from '../deploy/ownerPrivacy.ts'
import { serveParticipant } from '../deploy/serveParticipant.ts'
import { verifyKeyHolderPublic } from '../privacy/deployedProtection.ts'

export const ownerHelp = `msfl owner --kit DIR --job FILE --data CSV|builtin:… [options]

A data owner of a deployed federation, as a long-running process. It verifies its
startup kit and the job, reads and checks its OWN data against the job's declared
schema (nothing is sent if a row or column is wrong), then connects out to the
service provider over gRPC with mutual TLS 1.3 (no open port needed) and serves it:
its row count, the feature-scaling agreement (secure aggregation) and local training.
Its rows never leave the process. With privacy: dp… in the job it draws its own DP
noise from its CSPRNG (the job's ε, δ and clip: the provider cannot lower them) and,
at sample level, keeps its own accountant and refuses a round past its budget. Exits 0 when the run completed, 1 otherwise.

  --kit DIR        startup kit from msfl pki issue --role data-owner
  --job FILE       the job file the kit was issued for (its SHA-256 is checked)
  --data SOURCE    a CSV file with the job's columns and label, or a built-in part,
                   e.g. builtin:adult:part=3/10,seed=1 (rows of in-process client 3)
  --crl FILE       the federation's current CRL (newer than the kit's)
  --endpoint H:P   reach the service provider here instead of the kit's endpoint
  --ledger rpc:URL MS-FL jobs and defence: adrm: the JSON-RPC node of the run's
                   chain (default: the job's ledger); payouts go to an account
                   generated at start
  --state DIR      where this owner keeps what must outlive its process (default:
                   <kit>/state): with privacy: dp… its privacy ledger,
                   <run id>/privacy-ledger.jsonl, every release recorded before it
                   leaves, so a restarted owner keeps the budget it spent
  --json           log one JSON object per line on stderr
`

const ownerFlags = participantFlagsSchema.extend({
  data: pathFlag("owner's data: a CSV file or builtin:<dataset>:part=<i>/<n>"),
  ledger: ledgerFlag,
  state: pathFlag("folder for the owner's durable state").optional(),
})

export async function owner(argv: readonly string[]): Promise<number> {
  const flags = readCommandFlags(argv, ownerFlags, ownerHelp)
  if (!flags) return 0
  const opened = await openAnyParticipant(flags, 'data-owner')
  const { kit, job, log } = opened
  const { config } = job
  const schema = builtinJobSchema(parseDatasetSpec(config.dataset))
  // A job that holds validation rows back (--verify) leaves a built-in part without them.
  const defences = isMsflJob(job) ? undefined : job.plan.defences
  const rows = await readOwnerData(flags.data, {
    schema,
    ownerRows: (train, seed) => ownerTrainingRows(defences, seed, train)?.trainRows,
  })
  const data = encodeOwnerRows(rows)
  if (data.n === 0) throw new MsflError('DATA_FORMAT', `--data ${flags.data}: no rows`)
  log.info('data checked', { rows: data.n, features: data.d, source: rows.source })
  const scaling = createTabularEncoder(schema.columns).scaling
  // The MS-FL engine and the chain client load only for the jobs that use them.
  if (isMsflJob(job))
    return (await import('../deploy/runMsflOwner.ts')).runMsflOwner(
      { ...opened, job },
      { ...flags, data, scaling },
    )
  // Its SecAgg statements are signed with its kit key; peers' certificates are checked
  // against the kit's CA and CRL.
  const crypto = createNodeSecaggCrypto({
    owner: { clientId: kit.name, identity: createKitSecaggIdentity(kit) },
  })
  const model = createModel(resolveModelSpec(config.model, data))
  const adrm = job.plan.defences?.adrm
    ? (await import('../deploy/participantAdrm.ts')).ownerAdrmPayment(
        { ...opened, job },
        flags.ledger,
        model.spec,
      )
    : undefined
  const participant = createOwnerParticipant({
    ...(adrm ? { payment: adrm.payment } : {}),
    runId: job.runId,
    clientId: kit.name,
    data,
    scaling,
    owners: config.clients,
    model,
    seed: config.seed,
    crypto,
    // The key holder's public key reaches it through the provider: it checks the key
    // holder's signature itself before encrypting anything under it. Its DP noise is its own.
    ...ownerPrivacy({
      runId: job.runId,
      clientId: kit.name,
      rows: data.n,
      plan: job.plan,
      model,
      crypto,
      checkKeyHolder: (publicKey) => verifyKeyHolderPublic(kit, job.runId, publicKey),
      ledger: () => {
        const path = join(
          flags.state ?? join(flags.kit, 'state'),
          job.runId,
          'privacy-ledger.jsonl',
        )
        const ledger = openPrivacyLedger(path, { runId: job.runId, clientId: kit.name })
        if (ledger.repaired)
          log.warn('privacy ledger repaired', { path, repaired: ledger.repaired })
        log.info('privacy ledger', { path, releases: ledger.releases().length })
        return ledger
      },
    }),
  })
  const code = await serveParticipant(opened, participant, flags.endpoint)
  if (code === 0) await adrm?.collect()
  return code
}
