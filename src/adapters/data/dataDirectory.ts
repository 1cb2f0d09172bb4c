import { createRequire } from 'node:module'
import { dirname, resolve } from 'node:path'
import { MsflError } from '../../core/errors/msflError.ts'

/** The workspace package that carries the dataset files (private: installed with a clone). */
export const DATASETS_PACKAGE = '@msfl/datasets'

/**
 * Where dataset files are read from: an explicit directory, else `MSFL_DATA_DIR`, else
 * the installed `@msfl/datasets` package. The environment is read per call so tests and
 * the CLI can change it. Throws when none of the three gives a folder, naming all three,
 * since a library user may have chosen not to install the 44 MB of data.
 */
export function resolveDataDir(override?: string): string {
  if (override !== undefined && override !== '') return resolve(override)
  const fromEnvironment = process.env['MSFL_DATA_DIR']
  if (fromEnvironment !== undefined && fromEnvironment !== '') return resolve(fromEnvironment)
  const installed = findDatasetsPackage()
  if (installed !== undefined) return installed
  throw new MsflError(
    'DATA_MISSING',
    `no dataset folder: pass the dataDir option, set MSFL_DATA_DIR, or install ${DATASETS_PACKAGE} ` +
      '(it comes with a clone of the msfl repository: npm install); synthetic datasets need none of these',
  )
}

function findDatasetsPackage(): string | undefined {
  try {
    // Resolved from this file, so it finds the package wherever msfl itself is installed.
    return dirname(createRequire(import.meta.url).resolve(`${DATASETS_PACKAGE}/package.json`))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return undefined
    throw error
  }
}
