import { MsflError } from '../../core/errors/msflError.ts'
import { createVerifierParticipant } from '../../runtime/deploy/createVerifierParticipant.ts'
import { verifierNodeIds } from '../../runtime/smpc/verifyAndAggregate.ts'
import { participantFlagsSchema, readCommandFlags } from '../deploy/deployFlags.ts'
import { openParticipant } from '../deploy/openParticipant.ts'
import { serveParticipant } from '../deploy/serveParticipant.ts'

export const verifierHelp = `msfl verifier --kit DIR --job FILE [options]

A verifier node of a deployed federation whose job has verify: smpc, as a
long-running process. It verifies its startup kit (issued as verifier-1 …
verifier-k, k the job's nodes) and the job, connects out to the service provider
(gRPC, mutual TLS 1.3; no open port needed) and, every round, computes each local
model's validation accuracy and the aggregate on secret shares with the other
nodes, opening only the accuracies and the verified aggregate. Its pushes to the
other nodes travel through the provider. Exits 0 when the run completed.

  --kit DIR        startup kit from msfl pki issue --role verifier --name verifier-<i>
  --job FILE       the job file the kit was issued for (its SHA-256 is checked)
  --crl FILE       the federation's current CRL (newer than the kit's)
  --endpoint H:P   reach the service provider here instead of the kit's endpoint
  --json           log one JSON object per line on stderr
`

export async function verifier(argv: readonly string[]): Promise<number> {
  const flags = readCommandFlags(argv, participantFlagsSchema, verifierHelp)
  if (!flags) return 0
  const opened = await openParticipant(flags, 'verifier')
  const { kit, job } = opened
  const verify = job.plan.defences?.verify
  if (!verify)
    throw new MsflError(
      'CONFIG_INVALID',
      `--job ${flags.job}: the job has no verify: smpc, so it has no verifier nodes`,
    )
  const expected = verifierNodeIds(verify.nodes)
  if (!expected.includes(kit.name))
    throw new MsflError(
      'CONFIG_INVALID',
      `--kit ${flags.kit}: issued to ${kit.name}; the job's ${verify.nodes} verifier nodes are ${expected.join(', ')}`,
    )
  return serveParticipant(
    opened,
    createVerifierParticipant({ runId: job.runId, nodeId: kit.name }),
    flags.endpoint,
  )
}
