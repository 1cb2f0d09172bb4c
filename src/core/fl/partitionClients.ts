import { type Dataset, selectRows } from '../data/dataset.ts'
import { type PartitionSpec, partitionDataset } from '../data/partition.ts'
import { type PartitionSummary, partitionStatistics } from '../data/partitionStatistics.ts'
import { MsflError } from '../errors/msflError.ts'
import type { Rng } from '../rng/rng.ts'
import { createSeededRng, deriveSeed } from '../rng/seededRng.ts'

/** One data owner's share of the training data. */
export interface DataOwnerShard {
  /** The data owner's node id, e.g. `do-03`. */
  readonly id: string
  readonly data: Dataset
  /** Which training rows the owner holds (ascending indices), e.g. to write its own file. */
  readonly rows: Int32Array
  readonly labelCounts: readonly number[]
}

/** The training data split among data owners, with statistics of the split. */
export interface ClientPartition {
  readonly clients: readonly DataOwnerShard[]
  readonly summary: PartitionSummary
}

/** Parses `iid`, `natural`, `dirichlet:<alpha>` or `quantity:<beta>`. */
export function parsePartitionSpec(text: string): PartitionSpec {
  const [kind, value] = text.split(':')
  const number = Number(value)
  if (kind === 'iid' && value === undefined) return { kind: 'iid' }
  if (kind === 'natural' && value === undefined) return { kind: 'natural' }
  if (
    (kind === 'dirichlet' || kind === 'quantity') &&
    value !== undefined &&
    number > 0 &&
    Number.isFinite(number)
  )
    return kind === 'dirichlet' ? { kind, alpha: number } : { kind, beta: number }
  throw new MsflError(
    'CONFIG_INVALID',
    `partition: ${JSON.stringify(text)} is not iid, natural, dirichlet:<alpha> or quantity:<beta> with a positive number`,
  )
}

/**
 * The node ids of a job's `count` data owners, `do-0`… (zero-padded to one width): the names
 * simulation gives its clients and a deployment's owner certificates carry.
 */
export function ownerIds(count: number): string[] {
  const width = String(count - 1).length
  return Array.from({ length: count }, (_, c) => `do-${String(c).padStart(width, '0')}`)
}

/** Splits training rows among data owners and names them; each gets its own copy of its rows. */
export function partitionClients(
  train: Dataset,
  clients: number,
  partition: string,
  rng: Rng,
): ClientPartition {
  const parts = partitionDataset(train, clients, parsePartitionSpec(partition), rng)
  const stats = partitionStatistics(train, parts)
  const ids = ownerIds(parts.length)
  return {
    clients: parts.map((rows, c) => ({
      id: ids[c]!,
      data: selectRows(train, rows, `${train.name}#${c}`),
      rows,
      labelCounts: stats.perClient[c]!.labelCounts,
    })),
    summary: stats.summary,
  }
}

/**
 * The partition a run with this seed gives its data owners: the one every simulation
 * (runtime/planPopulation.ts) and every owner's split file (`msfl datasets split`) use, so
 * a deployment with the same seed holds the same rows.
 */
export function partitionClientsForSeed(
  train: Dataset,
  clients: number,
  partition: string,
  seed: number,
): ClientPartition {
  return partitionClients(train, clients, partition, createSeededRng(deriveSeed(seed, 'partition')))
}
