import { MsflError } from '../../core/errors/msflError.ts'
import type { RunStore } from '../../core/ports/runStore.ts'
import { openPostgresRunStore } from './openPostgresRunStore.ts'
import { openSqliteRunStore } from './openSqliteRunStore.ts'

/**
 * Opens the store a `--store` option names: a `postgres://` or `postgresql://` URL opens
 * PostgreSQL, anything else is the path of a SQLite file (the default).
 */
export async function openRunStore(spec: string): Promise<RunStore> {
  if (spec.trim() === '') throw new MsflError('STORE', '--store: must name a file or a URL')
  if (/^postgres(ql)?:\/\//i.test(spec)) return openPostgresRunStore(spec)
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec))
    throw new MsflError(
      'STORE',
      `--store: unsupported scheme in ${spec.slice(0, spec.indexOf(':'))}:// (use a file path or postgres://)`,
    )
  return openSqliteRunStore(spec)
}
