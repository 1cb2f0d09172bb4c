import { MsflError } from '../errors/msflError.ts'
import type { Rng } from '../rng/rng.ts'
import { shuffleInPlace } from '../rng/seededRng.ts'
import { resolveMinRows, toPartition } from './clientRows.ts'
import type { Dataset } from './dataset.ts'
import { partitionDirichlet } from './dirichletPartition.ts'
import { partitionQuantity } from './quantityPartition.ts'

/**
 * How training rows are split among clients. A partition is one Int32Array of row
 * indices per client; together they cover every row exactly once.
 */
export type PartitionSpec =
  | { readonly kind: 'iid' }
  /** Label skew: per class, client shares ~ Dirichlet(alpha). */
  | { readonly kind: 'dirichlet'; readonly alpha: number; readonly minRows?: number }
  /** Quantity skew: client sizes ~ Dirichlet(beta), labels IID. */
  | { readonly kind: 'quantity'; readonly beta: number; readonly minRows?: number }
  /** By the dataset's natural `groups` (e.g. synthetic devices). */
  | { readonly kind: 'natural' }

/** Splits the rows of `data` among `clients` clients according to `spec`. */
export function partitionDataset(
  data: Dataset,
  clients: number,
  spec: PartitionSpec,
  rng: Rng,
): Int32Array[] {
  switch (spec.kind) {
    case 'iid':
      return partitionIid(data.n, clients, rng)
    case 'dirichlet':
      return partitionDirichlet(data, clients, spec.alpha, rng, spec.minRows)
    case 'quantity':
      return partitionQuantity(data.n, clients, spec.beta, rng, spec.minRows)
    case 'natural':
      return partitionNatural(data, clients)
  }
}

/** IID: one shuffle, then contiguous runs whose sizes differ by at most one. */
export function partitionIid(n: number, clients: number, rng: Rng): Int32Array[] {
  resolveMinRows(n, clients, 0, 'iid')
  const order = shuffleInPlace(
    Int32Array.from({ length: n }, (_, i) => i),
    rng,
  )
  const parts: Int32Array[] = []
  for (let c = 0; c < clients; c++) {
    const start = Math.floor((c * n) / clients)
    const end = Math.floor(((c + 1) * n) / clients)
    parts.push(order.slice(start, end).sort())
  }
  return parts
}

/**
 * Natural partition by `data.groups`: distinct group ids in ascending order are dealt
 * round-robin to clients, so with as many clients as groups each client is one group
 * (one device), and with fewer clients each holds several whole groups.
 */
export function partitionNatural(data: Dataset, clients: number): Int32Array[] {
  const groups = data.groups
  if (!groups) {
    throw new MsflError(
      'CONFIG_INVALID',
      `natural partition: dataset ${data.name} has no natural groups; use iid, dirichlet or quantity`,
    )
  }
  const ids = [...new Set(groups)].sort((a, b) => a - b)
  if (!Number.isInteger(clients) || clients < 1 || clients > ids.length) {
    throw new MsflError(
      'CONFIG_INVALID',
      `natural partition: clients must be an integer in 1..${ids.length} (the number of groups in ${data.name}), got ${clients}`,
    )
  }
  const clientOf = new Map(ids.map((id, k) => [id, k % clients]))
  const buckets: number[][] = Array.from({ length: clients }, () => [])
  for (let i = 0; i < data.n; i++) buckets[clientOf.get(groups[i]!)!]!.push(i)
  return toPartition(buckets)
}
