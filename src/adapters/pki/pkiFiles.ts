import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { MsflError } from '../../core/errors/msflError.ts'

/**
 * Writes a file by writing a sibling and renaming it over, so a reader never sees half a CRL
 * or registry. A `secret` file is created 0600 (before any byte is written, not chmod-ed
 * afterwards) and the mode is then set explicitly, so a permissive umask cannot widen it.
 */
export function writeFileAtomically(
  path: string,
  content: string | Uint8Array,
  options: { readonly secret?: boolean } = {},
): void {
  const mode = options.secret ? 0o600 : 0o644
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`)
  writeFileSync(temporary, content, { mode, flag: 'wx' })
  chmodSync(temporary, mode)
  renameSync(temporary, path)
}

/** Creates a directory only its owner can enter (0700); an existing one must be empty. */
export function makePrivateDirectory(dir: string, field: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
  } catch (error) {
    throw new MsflError(
      'CONFIG_INVALID',
      `${field}: cannot create ${dir} (${(error as NodeJS.ErrnoException).code ?? error})`,
    )
  }
  chmodSync(dir, 0o700)
}

/** A file's text; a missing or unreadable file is a PKI error naming it. */
export function readPkiFile(path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    throw new MsflError(
      'PKI',
      `${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? error})`,
    )
  }
}

/**
 * Refuses a private key file that others than its owner may read or write, as ssh does: a
 * key that was exposed must be treated as compromised, not silently used.
 */
export function assertOwnerOnly(path: string): void {
  if (process.platform === 'win32') return
  const mode = statSync(path).mode & 0o777
  if ((mode & 0o077) !== 0)
    throw new MsflError(
      'PKI',
      `${path}: mode ${mode.toString(8).padStart(4, '0')} lets others read the private key (must be 0600)`,
    )
}

/**
 * Refuses a directory that already holds files: a CA or a startup kit is never written over
 * another one.
 *
 * @param dir - the directory that is about to be created.
 * @param field - the flag or parameter to name in the error.
 */
export function assertFreshDirectory(dir: string, field: string): void {
  if (existsSync(dir) && readdirSync(dir).length > 0)
    throw new MsflError('CONFIG_INVALID', `${field}: ${dir} is not empty (never overwritten)`)
}
