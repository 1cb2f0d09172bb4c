import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { MsflError } from '../../core/errors/msflError.ts'

export interface RunDirectory {
  /** Where files are written while the run is in progress. */
  readonly workingPath: string
  /** Where the run lives once complete. */
  readonly finalPath: string
  /** `secret` files (key stores) are readable by the owner only (mode 0600). */
  write(name: string, content: string | Uint8Array, options?: { readonly secret?: boolean }): void
  /** Marks the run complete by moving it to its final name. */
  complete(): string
}

/**
 * A run writes into `<out>/<id>.incomplete/` and is renamed to `<out>/<id>/` only
 * when every artefact is written, so a crashed or failed run never looks complete.
 */
export function createRunDirectory(outDir: string, runId: string): RunDirectory {
  const finalPath = resolve(outDir, runId)
  const workingPath = `${finalPath}.incomplete`
  if (existsSync(finalPath) || existsSync(workingPath))
    throw new MsflError('CONFIG_INVALID', `out: run directory ${finalPath} already exists`)
  try {
    mkdirSync(workingPath, { recursive: true })
  } catch (error) {
    throw new MsflError(
      'CONFIG_INVALID',
      `out: cannot create ${workingPath} (${(error as NodeJS.ErrnoException).code ?? error})`,
    )
  }
  return {
    workingPath,
    finalPath,
    write(name, content, options) {
      const path = join(workingPath, name)
      mkdirSync(dirname(path), { recursive: true })
      writeFileSync(path, content, options?.secret ? { mode: 0o600 } : {})
    },
    complete() {
      renameSync(workingPath, finalPath)
      return finalPath
    },
  }
}
