import { readFileSync } from 'node:fs'
import { loadDataset } from '../../src/adapters/data/index.ts'
import { createNodeSecaggCrypto } from '../../src/adapters/secagg-crypto/index.ts'
import { createMemoryTransport } from '../../src/adapters/transport/index.ts'
import { loadJob } from '../../src/cli/deploy/loadJob.ts'
import { parseDatasetSpec } from '../../src/core/data/parseDatasetSpec.ts'
import { decodeModelFile } from '../../src/core/model/modelFile.ts'
import { runSimulation } from '../../src/runtime/runSimulation.ts'

/** The model the in-process simulation trains for a job file (same seed, same partition). */
export async function simulated(jobFile: string): Promise<Float64Array> {
  const job = loadJob(jobFile)
  const data = await loadDataset(parseDatasetSpec(job.config.dataset), job.config.seed)
  const result = await runSimulation({
    runId: job.runId,
    plan: job.plan,
    data,
    createTransport: (handlers) => createMemoryTransport({ handlers }),
    secaggCrypto: createNodeSecaggCrypto(),
    emit: () => {},
    now: () => 0,
  })
  return result.params
}

/** The parameters of a model file. */
export const modelParams = (file: string) =>
  Float64Array.from(decodeModelFile(readFileSync(file)).params)
