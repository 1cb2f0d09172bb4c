import type { RunDirectory } from '../adapters/runs/index.ts'
import type { ClientPartition } from '../core/fl/partitionClients.ts'

/** One data owner of a run as `clients.json` and the report show it. */
export interface ClientSummary {
  readonly client: string
  readonly n: number
  readonly labelCounts: readonly number[]
}

/** Writes `clients.json` (each owner's row count and label counts) and returns its rows. */
export function writeClientsFile(dir: RunDirectory, partition: ClientPartition): ClientSummary[] {
  const clients = partition.clients.map((c) => ({
    client: c.id,
    n: c.data.n,
    labelCounts: c.labelCounts,
  }))
  dir.write('clients.json', `${JSON.stringify(clients, null, 2)}\n`)
  return clients
}
