import type { DatasetSplit } from '../../core/data/dataset.ts'
import type { DatasetSpec } from '../../core/data/parseDatasetSpec.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import { describeOption, resolveSpecOptions } from '../../core/spec/specOptions.ts'
import { resolveDataDir } from './dataDirectory.ts'
import { DATASET_CATALOG, type DatasetEntry, type FileSource } from './datasetCatalog.ts'
import { readChecksums, readVerifiedFile } from './verifiedFiles.ts'

/** Options of `loadDataset`. */
export interface LoadDatasetOptions {
  /** Data folder; defaults to MSFL_DATA_DIR, then the installed `@msfl/datasets` package. */
  readonly dataDir?: string
}

/**
 * Loads a dataset by name with loader options. Every file is checked against
 * SHA256SUMS before it is parsed; `seed` drives the splits of datasets without an
 * official test set and the synthetic generator, and nothing else.
 */
export async function loadDataset(
  spec: DatasetSpec,
  seed: number,
  options: LoadDatasetOptions = {},
): Promise<DatasetSplit> {
  const entry = findDataset(spec.name)
  const resolved = resolveSpecOptions(`dataset '${entry.name}'`, spec.options, entry.options)
  return entry.load(createVerifiedFileSource(options.dataDir), resolved, seed)
}

/**
 * Verified file contents from the data folder: every file is checked against SHA256SUMS
 * before a parser sees it. The folder is resolved on first use only, because synthetic data
 * reads no files and must not require a data folder or checksum list.
 */
export function createVerifiedFileSource(dataDirOverride?: string): FileSource {
  let dataDir: string | undefined
  let sums: Promise<Map<string, string>> | undefined
  const bytes = async (file: string): Promise<Uint8Array> => {
    dataDir ??= resolveDataDir(dataDirOverride)
    sums ??= readChecksums(dataDir)
    return readVerifiedFile(dataDir, file, await sums)
  }
  const decoder = new TextDecoder('utf-8', { fatal: true })
  return {
    bytes,
    async text(file) {
      const content = await bytes(file)
      try {
        return decoder.decode(content)
      } catch (cause) {
        throw new MsflError('DATA_FORMAT', `${file}: not valid UTF-8 text`, { cause })
      }
    },
  }
}

/**
 * One loader option of a dataset, as `listDatasets` describes it: its name, the values it accepts,
 * its default and what it does.
 */
export interface DatasetOptionInfo {
  readonly name: string
  readonly accepts: string
  readonly default: string | number | boolean
  readonly description: string
}

/**
 * A loadable dataset as `listDatasets` describes it: its files (relative to the data folder),
 * licence, citation and loader options.
 */
export interface DatasetInfo {
  readonly name: string
  readonly description: string
  readonly files: readonly string[]
  readonly licence: string
  readonly citation: string
  readonly options: readonly DatasetOptionInfo[]
}

/** Every loadable dataset with its files, licence, citation and options (for `msfl datasets`). */
export function listDatasets(): DatasetInfo[] {
  return DATASET_CATALOG.map((entry) => ({
    name: entry.name,
    description: entry.description,
    files: entry.files,
    licence: entry.licence,
    citation: entry.citation,
    options: Object.entries(entry.options).map(([name, spec]) => ({
      name,
      accepts: describeOption(spec),
      default: spec.default,
      description: spec.description,
    })),
  }))
}

/** The catalogue entry of a dataset name; the error lists the valid names. */
export function findDataset(name: string): DatasetEntry {
  const entry = DATASET_CATALOG.find((candidate) => candidate.name === name)
  if (!entry) {
    throw new MsflError(
      'CONFIG_INVALID',
      `dataset: unknown name '${name}' (valid: ${DATASET_CATALOG.map((e) => e.name).join(', ')})`,
    )
  }
  return entry
}
