import type { AttackSpec } from '../attacks/attackCatalog.ts'
import { poisonLocalData } from '../attacks/poisonLocalData.ts'
import type { Dataset } from '../data/dataset.ts'
import { createSeededRng, deriveSeed } from '../rng/seededRng.ts'
import { sampleBatch } from './sampleBatch.ts'

/**
 * What a data owner trains on and which rows it draws each round, derived from the
 * run seed. Shared by the encrypted owner and the plaintext-arithmetic replay, so
 * both see exactly the same (possibly poisoned) data and the same batches.
 */
export function ownerTrainingData(
  data: Dataset,
  attack: AttackSpec | undefined,
  seed: number,
  clientId: string,
): Dataset {
  return attack
    ? poisonLocalData(data, attack, createSeededRng(deriveSeed(seed, 'attack', clientId)))
    : data
}

export function ownerBatch(
  n: number,
  batchSize: number,
  seed: number,
  clientId: string,
  round: number,
): Int32Array {
  return sampleBatch(n, batchSize, createSeededRng(deriveSeed(seed, 'batch', clientId, round)))
}
