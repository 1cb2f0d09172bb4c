import { createWorkerPool } from '../../adapters/transport/index.ts'
import type { MsflOwners, MsflOwnersSpec } from '../../runtime/msflOwners.ts'

/**
 * Data owners spread over `threads` worker threads, so their encrypted gradients are
 * computed in parallel. Each worker loads the public material once. Messages reach a
 * worker after the transport's codec round trip, so what crosses the thread boundary
 * is what would cross the network; a worker that dies fails its owners' requests.
 */
export function createOwnerPool(spec: MsflOwnersSpec, threads: number): Promise<MsflOwners> {
  return createWorkerPool({
    entry: new URL('./ownerWorker.ts', import.meta.url),
    participants: spec.owners.map((o) => o.clientId),
    workers: threads,
    init: (_, participants): MsflOwnersSpec => ({
      ...spec,
      owners: spec.owners.filter((o) => participants.includes(o.clientId)),
    }),
  })
}
