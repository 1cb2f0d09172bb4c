import { ADULT_SCHEMA, parseAdultRecords } from '../../core/data/adult.ts'
import type { OwnerRows } from '../../core/data/checkOwnerRows.ts'
import { type Dataset, selectRows } from '../../core/data/dataset.ts'
import { NSL_KDD_COLUMNS, nslKddSchema, parseNslKddRecords } from '../../core/data/nslKdd.ts'
import type { DatasetSpec } from '../../core/data/parseDatasetSpec.ts'
import type { TabularSchema } from '../../core/data/tabularSchema.ts'
import type { TextRecord } from '../../core/data/textRecords.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import { partitionClientsForSeed } from '../../core/fl/partitionClients.ts'
import { type ResolvedOptions, resolveSpecOptions } from '../../core/spec/specOptions.ts'
import type { FileSource } from './datasetCatalog.ts'
import { createVerifiedFileSource, findDataset } from './loadDataset.ts'

/** A built-in tabular dataset as data owners hold it: its job schema and its raw rows. */
interface TabularOwnerSource {
  schema(options: ResolvedOptions): TabularSchema
  /**
   * The raw training records in the order the loader encodes them, with the schema's
   * fields only (its columns, then the label).
   */
  trainRecords(source: FileSource): Promise<TextRecord[]>
}

const TABULAR_OWNER_SOURCES: Readonly<Record<string, TabularOwnerSource>> = {
  adult: {
    schema: () => ADULT_SCHEMA,
    async trainRecords(source) {
      return parseAdultRecords(await source.text('adult/adult.data.gz'), 'adult/adult.data')
    },
  },
  'nsl-kdd': {
    schema: (options) => nslKddSchema(options['labels'] === 'binary' ? 'binary' : 'five'),
    async trainRecords(source) {
      const file = 'nsl-kdd/KDDTrain+_20Percent.txt'
      // The trailing difficulty field is an annotation the schema does not carry.
      return parseNslKddRecords(await source.text(`${file}.gz`), file).map((record) => ({
        line: record.line,
        fields: record.fields.slice(0, NSL_KDD_COLUMNS.length + 1),
      }))
    },
  },
}

/** Which built-in rows to split, among how many owners, with which run seed and partition. */
export interface BuiltinOwnerRequest {
  readonly dataset: DatasetSpec
  readonly owners: number
  /** The run's seed: the partition is the one `msfl simulate --seed` gives its clients. */
  readonly seed: number
  /** `iid`, `dirichlet:<alpha>`, `quantity:<beta>` (as `msfl simulate --partition`). */
  readonly partition: string
  /** Data folder (see loadDataset). */
  readonly dataDir?: string
  /**
   * The training rows the owners share (indices into the encoded training set), when the
   * job holds some back (e.g. the requestor's validation rows for `--verify`); default all.
   */
  readonly ownerRows?: (train: Dataset) => readonly number[] | undefined
}

/** One owner's share of a built-in dataset: its in-process client id and its raw rows. */
export interface BuiltinOwner {
  /** The id the in-process simulation gives this client, e.g. `do-3`. */
  readonly id: string
  readonly rows: OwnerRows
  readonly labelCounts: readonly number[]
}

/** A built-in tabular dataset split among owners, with the job schema their rows follow. */
export interface BuiltinOwnerSplit {
  readonly schema: TabularSchema
  readonly owners: readonly BuiltinOwner[]
}

/** Names of the built-in datasets a data owner can hold as its own CSV rows. */
export const TABULAR_OWNER_DATASETS: readonly string[] = Object.keys(TABULAR_OWNER_SOURCES)

/**
 * The schema a job on built-in tabular dataset `dataset` declares: what every owner's own
 * CSV file is checked against in a deployment.
 */
export function builtinJobSchema(dataset: DatasetSpec): TabularSchema {
  const entry = findDataset(dataset.name)
  const tabular = TABULAR_OWNER_SOURCES[entry.name]
  if (!tabular)
    throw new MsflError(
      'CONFIG_INVALID',
      `dataset '${entry.name}' has no tabular form a data owner can hold (tabular datasets: ${TABULAR_OWNER_DATASETS.join(', ')})`,
    )
  return tabular.schema(
    resolveSpecOptions(`dataset '${entry.name}'`, dataset.options, entry.options),
  )
}

/**
 * Splits a built-in tabular dataset's training rows among owners exactly as the in-process
 * simulation does (same loader, same seed-derived partition: partitionClientsForSeed) and
 * returns each owner's rows in raw form, so owner i's rows encode to client i's data
 * (test/data/ownerData.test.ts). Runs with `--defence` or `--verify`, whose requestor first
 * holds back validation rows, partition a different row set and are not covered.
 */
export async function splitBuiltinOwners(request: BuiltinOwnerRequest): Promise<BuiltinOwnerSplit> {
  const entry = findDataset(request.dataset.name)
  const tabular = TABULAR_OWNER_SOURCES[entry.name]
  if (!tabular)
    throw new MsflError(
      'CONFIG_INVALID',
      `dataset '${entry.name}' has no tabular form a data owner can hold (tabular datasets: ${TABULAR_OWNER_DATASETS.join(', ')})`,
    )
  const options = resolveSpecOptions(
    `dataset '${entry.name}'`,
    request.dataset.options,
    entry.options,
  )
  const source = createVerifiedFileSource(request.dataDir)
  const [split, records] = await Promise.all([
    entry.load(source, options, request.seed),
    tabular.trainRecords(source),
  ])
  // The partition indexes the encoded rows; the raw records must be the same rows in order.
  if (records.length !== split.train.n)
    throw new MsflError(
      'DATA_INTEGRITY',
      `dataset '${entry.name}': ${records.length} raw training records but ${split.train.n} encoded rows`,
    )
  const schema = tabular.schema(options)
  const kept = request.ownerRows?.(split.train)
  const train = kept ? selectRows(split.train, kept) : split.train
  const ownerRecords = kept ? kept.map((row) => records[row]!) : records
  const partition = partitionClientsForSeed(train, request.owners, request.partition, request.seed)
  const owners = partition.clients.map((client, index) => ({
    id: client.id,
    labelCounts: client.labelCounts,
    rows: {
      source: `builtin:${entry.name} part ${index}/${request.owners} (seed ${request.seed}, ${request.partition})`,
      schema,
      records: Array.from(client.rows, (row) => ownerRecords[row]!),
    },
  }))
  return { schema, owners }
}
