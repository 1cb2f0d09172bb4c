import type { AttackSpec } from '../core/attacks/attackCatalog.ts'
import type { Dataset } from '../core/data/dataset.ts'
import { type ClientPartition, partitionClientsForSeed } from '../core/fl/partitionClients.ts'
import { createSeededRng, deriveSeed } from '../core/rng/seededRng.ts'
import type { RunBasics } from './config/planRun.ts'
import { planAttackers } from './planAttackers.ts'

/** Who takes part in a simulated run: the data owners with their rows, and who of them attacks. */
export interface Population {
  readonly partition: ClientPartition
  /** The owners' ids, in partition order. */
  readonly owners: readonly string[]
  /** Malicious owners and their attacks (empty for a clean run). */
  readonly attackers: ReadonlyMap<string, AttackSpec>
}

/**
 * Splits the training rows among `basics.clients` data owners and draws the attackers,
 * both from seeds derived from `basics.seed`, so every protocol simulates the same
 * federation for the same config.
 */
export function planPopulation(basics: RunBasics, train: Dataset): Population {
  const partition = partitionClientsForSeed(train, basics.clients, basics.partition, basics.seed)
  const owners = partition.clients.map((c) => c.id)
  const attackers = planAttackers(
    { ...basics, clients: owners },
    createSeededRng(deriveSeed(basics.seed, 'attackers')),
  )
  return { partition, owners, attackers }
}
