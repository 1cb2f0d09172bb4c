import { readFileSync } from 'node:fs'
import { loadDataset } from '../../src/adapters/data/index.ts'
import { modelDigest } from '../../src/adapters/ledger-evm/index.ts'
import { createCsprng } from '../../src/adapters/random/index.ts'
import { createNodeSecaggCrypto } from '../../src/adapters/secagg-crypto/index.ts'
import { createMemoryTransport } from '../../src/adapters/transport/index.ts'
import { isMsflJob, loadAnyJob, loadJob } from '../../src/cli/deploy/loadJob.ts'
import { createOwnersInProcess, msflAdapters } from '../../src/cli/executeMsflSimulation.ts'
import { createRunLedger } from '../../src/cli/msfl/createRunLedger.ts'
import { createProtection } from '../../src/cli/privacy/createProtection.ts'
import { parseDatasetSpec } from '../../src/core/data/parseDatasetSpec.ts'
import { decodeModelFile } from '../../src/core/model/modelFile.ts'
import { runMsflSimulation } from '../../src/runtime/runMsflSimulation.ts'
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
    createProtection,
    // A verify job's simulated twin: the ledger does not change the model.
    defences: {
      createLedger: (spec) => createRunLedger(spec, new Uint8Array(32).fill(3)),
      modelDigest,
      csprng: createCsprng,
      createTransport: (handlers) => createMemoryTransport({ handlers }),
    },
    emit: () => {},
    now: () => 0,
  })
  return result.params
}

/** The parameters of a model file. */
export const modelParams = (file: string) =>
  Float64Array.from(decodeModelFile(readFileSync(file)).params)

/** What the in-process MS-FL simulation of an MS-FL job file reaches (ledger in memory): accuracy and weights. */
export async function simulatedMsfl(
  jobFile: string,
): Promise<{ accuracy: number; weights: readonly Float64Array[] }> {
  const job = loadAnyJob(jobFile)
  if (!isMsflJob(job)) throw new Error(`${jobFile} is not an MS-FL job`)
  const data = await loadDataset(parseDatasetSpec(job.config.dataset), job.config.seed)
  const result = await runMsflSimulation({
    runId: job.runId,
    plan: { ...job.plan, ledger: 'memory' },
    data,
    // Owners in this thread: the test's processes already use the machine's cores.
    adapters: { ...msflAdapters, createOwners: createOwnersInProcess },
    emit: () => {},
    now: () => 0,
  })
  return { accuracy: result.final.accuracy ?? Number.NaN, weights: result.weights }
}
