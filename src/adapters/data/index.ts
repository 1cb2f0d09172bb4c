/**
 * The data adapter's public surface: the verified public datasets: catalogue, checksums, loaders.
 * Code outside this folder imports from here only (test/architecture.test.ts).
 * @module
 */

export { resolveDataDir } from './dataDirectory.ts'
export type { DatasetInfo, DatasetOptionInfo, LoadDatasetOptions } from './loadDataset.ts'
export { listDatasets, loadDataset } from './loadDataset.ts'
export type { DatasetVerification, FileCheck, FileCheckStatus } from './verifyDatasets.ts'
export { verifyDatasets } from './verifyDatasets.ts'
