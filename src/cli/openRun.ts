import { loadDataset } from '../adapters/data/index.ts'
import type { RunEventDigest } from '../adapters/report/index.ts'
import { createRunDirectory, type RunDirectory } from '../adapters/runs/index.ts'
import type { DatasetSplit } from '../core/data/dataset.ts'
import { parseDatasetSpec } from '../core/data/parseDatasetSpec.ts'
import type { SimulationConfig } from '../runtime/config/simulationConfig.ts'
import type { EventBus } from '../runtime/createEventBus.ts'
import { newRunId } from './newRunId.ts'
import { startRunEvents } from './startRunEvents.ts'

/**
 * The start of every simulation run: load and verify the dataset, let the caller
 * validate what depends on it, and only then create the run directory (with the
 * config) and its event sinks — so bad input leaves no trace.
 */
export async function openRun(
  config: SimulationConfig,
  options: { readonly json: boolean; readonly quiet: boolean },
  validate: (data: DatasetSplit) => void = () => {},
): Promise<{
  runId: string
  data: DatasetSplit
  dir: RunDirectory
  bus: EventBus
  now: () => number
  /** What the run's events add to its report, so far. */
  reportEvents: () => RunEventDigest
}> {
  const runId = newRunId()
  const data = await loadDataset(parseDatasetSpec(config.dataset), config.seed)
  validate(data)
  const dir = createRunDirectory(config.out, runId)
  dir.write('config.json', `${JSON.stringify(config, null, 2)}\n`)
  return { runId, data, dir, ...startRunEvents(dir.workingPath, options) }
}
