/**
 * The data adapter's public surface: the verified public datasets: catalogue, checksums, loaders.
 * Code outside this folder imports from here only (test/architecture.test.ts).
 * @module
 */

export { listDatasets, loadDataset } from './loadDataset.ts'
export { verifyDatasets } from './verifyDatasets.ts'
