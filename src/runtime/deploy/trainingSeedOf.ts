import { deriveSeed } from '../../core/rng/seededRng.ts'

/**
 * The seed a job's honest training clients shuffle their batches with, derived from the
 * job seed: simulation and deployment use this one derivation, so the same job trains
 * the same model in one process and across processes.
 */
export function trainingSeedOf(jobSeed: number): number {
  return deriveSeed(jobSeed, 'training')
}
