import { randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { loadDataset } from '../../adapters/data/index.ts'
import { modelDigest } from '../../adapters/ledger-evm/index.ts'
import { createCsprng } from '../../adapters/random/index.ts'
import { createNodeSecaggCrypto } from '../../adapters/secagg-crypto/index.ts'
import { createMemoryTransport } from '../../adapters/transport/index.ts'
import type { DatasetSplit } from '../../core/data/dataset.ts'
import { parseDatasetSpec } from '../../core/data/parseDatasetSpec.ts'
import type { CellResult } from '../../core/experiment/cellResult.ts'
import type { ExperimentCell } from '../../runtime/config/experimentMatrix.ts'
import { runExperimentCell } from '../../runtime/runExperimentCell.ts'
import { createRunLedger } from '../msfl/createRunLedger.ts'
import { createProtection } from '../privacy/createProtection.ts'

// Loaded datasets per thread: an experiment's cells share one or two (dataset, seed) pairs.
const cache = new Map<string, Promise<DatasetSplit>>()

/** Runs one experiment cell in this thread with the verified dataset and the in-memory transport. */
export function runCellInProcess(cell: ExperimentCell): Promise<CellResult> {
  const key = `${cell.config.dataset}|${cell.config.seed}`
  let data = cache.get(key)
  if (!data) {
    data = loadDataset(parseDatasetSpec(cell.config.dataset), cell.config.seed)
    cache.set(key, data)
  }
  return data.then((split) =>
    runExperimentCell(
      cell,
      split,
      (handlers) => createMemoryTransport({ handlers }),
      () => performance.now(),
      {
        createProtection,
        noiseRng: createCsprng,
        secaggCrypto: createNodeSecaggCrypto(),
        defences: {
          // Cells keep nothing: a fresh key-store seed per ledger.
          createLedger: (spec) => createRunLedger(spec, randomBytes(32)),
          modelDigest,
          csprng: createCsprng,
          createTransport: (handlers) => createMemoryTransport({ handlers }),
        },
      },
    ),
  )
}
