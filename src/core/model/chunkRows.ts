import type { ModelSpec } from './model.ts'

/** Rows per chunk when a whole dataset is pushed through a model (evaluation, full gradients). */
export const MAX_CHUNK_ROWS = 1024

/**
 * Scratch memory of a forward pass grows with rows × widest layer; capping that
 * product at about 2^20 numbers (8 MiB per buffer) keeps memory bounded for wide
 * inputs while MNIST-sized models still get full 1024-row chunks.
 */
export function chunkRows(spec: ModelSpec): number {
  const widest = Math.max(spec.inputDim, spec.outputDim, ...spec.hidden)
  return Math.max(1, Math.min(MAX_CHUNK_ROWS, Math.floor(2 ** 20 / widest)))
}
