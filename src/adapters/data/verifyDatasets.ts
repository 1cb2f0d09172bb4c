import { resolveDataDir } from './dataDirectory.ts'
import { DATASET_CATALOG } from './datasetCatalog.ts'
import { readChecksums, readDataFile, sha256Hex } from './verifiedFiles.ts'

/**
 * The state of one file: `ok`, `mismatch` (SHA-256 differs), `missing`, or `unlisted` (a dataset
 * file the checksum list forgets; loaders refuse it).
 */
export type FileCheckStatus = 'ok' | 'mismatch' | 'missing' | 'unlisted'

/** The verification of one data file, with the expected and actual SHA-256 in hex when known. */
export interface FileCheck {
  /** Path relative to the data folder. */
  readonly file: string
  /** Dataset the file belongs to, if any loader knows it. */
  readonly dataset?: string
  readonly status: FileCheckStatus
  readonly expected?: string
  readonly actual?: string
}

/**
 * What `verifyDatasets` found: the folder it checked, whether every file is `ok`, and every file's
 * check.
 */
export interface DatasetVerification {
  readonly dataDir: string
  readonly ok: boolean
  readonly files: readonly FileCheck[]
}

/**
 * Checks every file listed in SHA256SUMS, plus any catalogue file the list forgets
 * ('unlisted': loaders refuse those). Reports instead of throwing, so one bad file does
 * not hide the state of the others; a missing or malformed list still throws.
 */
export async function verifyDatasets(
  options: { dataDir?: string } = {},
): Promise<DatasetVerification> {
  const dataDir = resolveDataDir(options.dataDir)
  const sums = await readChecksums(dataDir)
  const owner = new Map<string, string>()
  for (const entry of DATASET_CATALOG) for (const file of entry.files) owner.set(file, entry.name)

  const files = await Promise.all(
    [...sums].map(async ([file, expected]): Promise<FileCheck> => {
      const dataset = owner.get(file)
      const base = { file, ...(dataset ? { dataset } : {}), expected }
      const bytes = await readDataFile(dataDir, file)
      if (bytes === undefined) return { ...base, status: 'missing' }
      const actual = sha256Hex(bytes)
      return { ...base, status: actual === expected ? 'ok' : 'mismatch', actual }
    }),
  )
  for (const [file, dataset] of owner) {
    if (!sums.has(file)) files.push({ file, dataset, status: 'unlisted' })
  }
  files.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))
  return { dataDir, ok: files.every((f) => f.status === 'ok'), files }
}
