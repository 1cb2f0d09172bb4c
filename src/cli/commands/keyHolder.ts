import { MsflError } from '../../core/errors/msflError.ts'
import { ownerIds } from '../../core/fl/partitionClients.ts'
import { KEY_HOLDER_ID } from '../../core/privacy/keyHolderMessages.ts'
import { createKeyHolderParticipant } from '../../runtime/deploy/createKeyHolderParticipant.ts'
import {
  deployedProtection,
  summedUpdatesFloor,
} from '../../runtime/deploy/serveProtectedRounds.ts'
import { participantFlagsSchema, readCommandFlags } from '../deploy/deployFlags.ts'
import { openParticipant } from '../deploy/openParticipant.ts'
import { serveParticipant } from '../deploy/serveParticipant.ts'
import { openKeyHolderKeys } from '../privacy/deployedProtection.ts'

export const keyHolderHelp = `msfl key-holder --kit DIR --job FILE [options]

The key holder of a deployed federation whose job has privacy: ckks or paillier, as a
long-running process. It verifies its startup kit (issued as key-holder) and the job,
generates the key pair (the secret key never leaves this process), signs its public
key with its kit key, and connects out to the service provider (gRPC, mutual TLS 1.3).
The provider forwards the signed public key to the owners, who check the signature
themselves; each round the key holder decrypts only the summed ciphertext, and only
if it sums at least two owners' updates (client-level DP with distributed noise: the
job's t), once per round. Exits 0 when the run completed.

  --kit DIR        startup kit from msfl pki issue --role key-holder --name key-holder
  --job FILE       the job file the kit was issued for (its SHA-256 is checked)
  --crl FILE       the federation's current CRL (newer than the kit's)
  --endpoint H:P   reach the service provider here instead of the kit's endpoint
  --json           log one JSON object per line on stderr
`

export async function keyHolder(argv: readonly string[]): Promise<number> {
  const flags = readCommandFlags(argv, participantFlagsSchema, keyHolderHelp)
  if (!flags) return 0
  const opened = await openParticipant(flags, 'key-holder')
  const { kit, job, log } = opened
  const { plan } = job
  const hiding = plan.protocol === 'protected' ? deployedProtection(plan) : undefined
  if (plan.protocol !== 'protected' || !hiding || hiding.name === 'secagg')
    throw new MsflError(
      'CONFIG_INVALID',
      `--job ${flags.job}: the job has no privacy: ckks or paillier, so it has no key holder`,
    )
  if (kit.name !== KEY_HOLDER_ID)
    throw new MsflError(
      'CONFIG_INVALID',
      `--kit ${flags.kit}: issued to ${kit.name}; the owners accept a key holder named ${KEY_HOLDER_ID}`,
    )
  const keys = await openKeyHolderKeys(
    hiding,
    {
      runId: job.runId,
      clients: ownerIds(job.config.clients),
      rounds: job.config.rounds,
      // No sum with fewer noise shares than client-level DP's t is decrypted.
      minContributors: summedUpdatesFloor(plan),
    },
    kit,
  )
  log.info('keys generated', {
    scheme: keys.publicKey.scheme,
    publicBytes: keys.publicKey.material.length,
  })
  try {
    return await serveParticipant(
      opened,
      createKeyHolderParticipant({
        runId: job.runId,
        name: kit.name,
        keyHolder: keys.participant,
        publicKey: keys.publicKey,
      }),
      flags.endpoint,
    )
  } finally {
    await keys.participant.dispose()
  }
}
