import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository's `data/` folder, found from this file so it works from any cwd. */
const BUNDLED_DATA_DIR = fileURLToPath(new URL('../../../data/', import.meta.url))

/**
 * Where dataset files are read from: an explicit directory, else `MSFL_DATA_DIR`, else
 * the bundled `data/`. The environment is read per call so tests and the CLI can change it.
 */
export function resolveDataDir(override?: string): string {
  const chosen = override ?? process.env['MSFL_DATA_DIR']
  return chosen !== undefined && chosen !== '' ? resolve(chosen) : BUNDLED_DATA_DIR
}
