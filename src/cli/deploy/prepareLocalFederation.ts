import { randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { splitBuiltinOwners } from '../../adapters/data/index.ts'
import { createFederationCa, issueParticipant, writeStartupKit } from '../../adapters/pki/index.ts'
import { formatOwnerCsv } from '../../core/data/formatOwnerCsv.ts'
import { parseDatasetSpec } from '../../core/data/parseDatasetSpec.ts'
import { KEY_HOLDER_ID } from '../../core/privacy/keyHolderMessages.ts'
import { ownerTrainingRows } from '../../runtime/defence/holdOutValidation.ts'
import { verifierNodeIds } from '../../runtime/smpc/verifyAndAggregate.ts'
import { isMsflJob, loadAnyJob } from './loadJob.ts'

/** What `msfl deploy local` builds before it starts anything. */
export interface LocalFederationOptions {
  readonly dir: string
  readonly owners: number
  readonly rounds: number
  readonly dataset: string
  readonly model: string
  readonly seed: number
  /** Interface every process uses (loopback by default). */
  readonly host: string
  /**
   * More addresses the provider is reached at (its certificate names them), e.g. the host
   * ends of network namespaces' veth pairs.
   */
  readonly extraHosts?: readonly string[]
  /** The job's `verify` (e.g. `smpc`): its verifier nodes become processes too. */
  readonly verify?: string
  /** The job's `privacy` (`secagg[:…]`): owners' updates reach the provider only summed. */
  readonly privacy?: string
  /** The job's per-round deadline in seconds (default: the config's). */
  readonly deadline?: number
  /** `msfl`: the MS-FL protocol, settled on a chain every process reaches (default: the plain engine). */
  readonly protocol?: 'plain' | 'msfl'
  /** The fewest owners a round needs connected (`sampling.minClients`, default 1). */
  readonly minClients?: number
  /**
   * The job's `defence` (`adrm[:…]`). In an MS-FL job it runs at the requestor on
   * global-scale masked gradients, so the job's `msfl.mask` is `global-scale`; in a FedAvg
   * job at the provider, on the updates it aggregates. Either way it pays by reputation on
   * a chain every process reaches.
   */
  readonly defence?: string
}

/** The files of a local federation: the job, one kit per participant, each owner's CSV. */
export interface LocalFederation {
  readonly job: string
  readonly endpoint: string
  readonly providerKit: string
  readonly requestorKit: string
  readonly owners: readonly { readonly name: string; readonly kit: string; readonly data: string }[]
  /** The key holder's kit (`privacy: ckks|paillier` only). */
  readonly keyHolderKit?: string
  /** The job's verifier nodes (none without `verify`). */
  readonly verifiers: readonly { readonly name: string; readonly kit: string }[]
  readonly runs: string
  /** An MS-FL job. */
  readonly msfl: boolean
  /**
   * An MS-FL job or one with `defence: adrm` (paid by reputation): every process needs
   * `--ledger`, and each party's account must be funded.
   */
  readonly chain: boolean
}

export const PROVIDER_NAME = 'provider'
export const REQUESTOR_NAME = 'requestor'

/**
 * Lays out a federation on one machine exactly as separate organisations would hold it:
 * a job file, a fresh CA (`pki/`), a startup kit per participant (`kits/<name>/`, each
 * naming the job's SHA-256 and the provider's endpoint) and each owner's own training
 * rows as a CSV file (`data/<name>.csv`: the built-in dataset split as `msfl simulate`
 * splits it for the same seed, without the validation rows a `verify` job holds back). Nothing here is shared at run time but the endpoint.
 */
export async function prepareLocalFederation(o: LocalFederationOptions): Promise<LocalFederation> {
  mkdirSync(o.dir, { recursive: true, mode: 0o700 })
  const runs = join(o.dir, 'runs')
  const job = join(o.dir, 'job.yaml')
  writeFileSync(
    job,
    stringify({
      dataset: o.dataset,
      model: o.model,
      clients: o.owners,
      rounds: o.rounds,
      seed: o.seed,
      strategy: 'fedavg',
      ...(o.protocol === 'msfl' ? { protocol: 'msfl' } : {}),
      ...(o.verify === undefined ? {} : { verify: o.verify }),
      ...(o.defence === undefined ? {} : { defence: o.defence }),
      ...(o.defence !== undefined && o.protocol === 'msfl'
        ? { msfl: { mask: 'global-scale' } }
        : {}),
      ...(o.privacy === undefined ? {} : { privacy: o.privacy }),
      ...(o.deadline === undefined ? {} : { deadline: o.deadline }),
      ...(o.minClients === undefined ? {} : { sampling: { minClients: o.minClients } }),
      out: runs,
    }),
  )
  const loaded = loadAnyJob(job)
  const { sha256 } = loaded
  const defences = isMsflJob(loaded) ? undefined : loaded.plan.defences
  const hiding = loaded.plan.protocol === 'protected' ? loaded.plan.privacy.hiding : undefined
  const pki = join(o.dir, 'pki')
  await createFederationCa({ dir: pki, federation: `local-${randomBytes(4).toString('hex')}` })
  const endpoint = `${o.host}:${await freePort(o.host)}`
  const kit = async (role: Parameters<typeof issueParticipant>[0]['role'], name: string) => {
    const out = join(o.dir, 'kits', name)
    const issued = await issueParticipant({
      dir: pki,
      role,
      name,
      ...(role === 'service-provider'
        ? { hosts: [...new Set(['localhost', '127.0.0.1', o.host, ...(o.extraHosts ?? [])])] }
        : {}),
    })
    await writeStartupKit({ dir: pki, issued, endpoint, job: sha256, out })
    return out
  }
  mkdirSync(join(o.dir, 'kits'), { recursive: true, mode: 0o700 })
  const providerKit = await kit('service-provider', PROVIDER_NAME)
  const requestorKit = await kit('requestor', REQUESTOR_NAME)
  const split = await splitBuiltinOwners({
    dataset: parseDatasetSpec(o.dataset),
    owners: o.owners,
    seed: o.seed,
    partition: 'iid',
    // With verify the requestor's validation rows are held back, as in simulation.
    ownerRows: (train) => ownerTrainingRows(defences, o.seed, train)?.trainRows,
  })
  mkdirSync(join(o.dir, 'data'), { recursive: true, mode: 0o700 })
  const owners = []
  for (const [i, { id: name }] of split.owners.entries()) {
    const data = join(o.dir, 'data', `${name}.csv`)
    writeFileSync(data, formatOwnerCsv(split.owners[i]!.rows), { mode: 0o600 })
    owners.push({ name, kit: await kit('data-owner', name), data })
  }
  const verifiers = []
  for (const name of defences?.verify ? verifierNodeIds(defences.verify.nodes) : [])
    verifiers.push({ name, kit: await kit('verifier', name) })
  const keyHolderKit =
    hiding && hiding.name !== 'secagg' ? await kit('key-holder', KEY_HOLDER_ID) : undefined
  return {
    job,
    endpoint,
    providerKit,
    requestorKit,
    owners,
    verifiers,
    runs,
    msfl: isMsflJob(loaded),
    chain: isMsflJob(loaded) || defences?.adrm !== undefined,
    ...(keyHolderKit ? { keyHolderKit } : {}),
  }
}

/** A TCP port free on `host` right now (the provider binds it moments later). */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, host, () => {
      const address = probe.address()
      const port = typeof address === 'object' && address ? address.port : 0
      probe.close(() => resolve(port))
    })
  })
}
