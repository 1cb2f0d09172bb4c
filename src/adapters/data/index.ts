/**
 * The data adapter's public surface: the verified public datasets: catalogue, checksums, loaders;
 * and a data owner's own rows (its CSV file checked against the job's schema, or a built-in part).
 * Code outside this folder imports from here only (test/architecture.test.ts).
 * @module
 */

export { resolveDataDir } from './dataDirectory.ts'
export type { DatasetInfo, DatasetOptionInfo, LoadDatasetOptions } from './loadDataset.ts'
export { listDatasets, loadDataset } from './loadDataset.ts'
export {
  DEFAULT_MAX_OWNER_CSV_BYTES,
  type ReadOwnerCsvOptions,
  readOwnerCsv,
} from './readOwnerCsv.ts'
export { BUILTIN_DATA_PREFIX, type ReadOwnerDataOptions, readOwnerData } from './readOwnerData.ts'
export { readTabularSchema } from './readTabularSchema.ts'
export {
  type BuiltinOwner,
  type BuiltinOwnerRequest,
  type BuiltinOwnerSplit,
  builtinJobSchema,
  splitBuiltinOwners,
  TABULAR_OWNER_DATASETS,
} from './splitBuiltinOwners.ts'
export type { DatasetVerification, FileCheck, FileCheckStatus } from './verifyDatasets.ts'
export { verifyDatasets } from './verifyDatasets.ts'
