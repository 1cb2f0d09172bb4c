import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  truncateSync,
  writeSync,
} from 'node:fs'
import { dirname } from 'node:path'
import { type PrivacyRelease, privacyReleaseSchema } from '../../core/dp/privacyRelease.ts'
import { describeZodError } from '../../core/errors/describeZodError.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import type { PrivacyLedger } from '../../core/ports/privacyLedger.ts'

/** A privacy ledger file, and whether opening it dropped a torn last line. */
export interface OpenedPrivacyLedger extends PrivacyLedger {
  /** Set when the file ended in a line cut short by a crash (never acknowledged): dropped. */
  readonly repaired?: string
  close(): void
}

/**
 * Opens (or creates) a DP owner's privacy ledger: one JSON object per line, each a
 * PrivacyRelease of this run and owner, appended and fsync'ed before the release it
 * records leaves the process. A last line without its newline was cut short by a crash
 * while being written: its release never left (nothing leaves before the fsync), so it is
 * dropped and the file truncated to the last whole line. Any whole line that is not a
 * valid release of this run and owner is refused, naming the line and the field: the
 * ledger is never reset or skipped, since that would hand the owner its budget again.
 */
export function openPrivacyLedger(
  path: string,
  owner: { readonly runId: string; readonly clientId: string },
): OpenedPrivacyLedger {
  mkdirSync(dirname(path), { recursive: true })
  let bytes: Buffer = Buffer.alloc(0)
  try {
    bytes = readFileSync(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new MsflError(
        'CONFIG_INVALID',
        `privacy ledger ${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? error})`,
      )
  }
  const whole = bytes.lastIndexOf(0x0a) + 1
  let repaired: string | undefined
  if (whole < bytes.length) {
    repaired = `dropped a last line cut short (${bytes.length - whole} bytes, never acknowledged)`
    truncateSync(path, whole)
  }
  const releases: PrivacyRelease[] = bytes
    .subarray(0, whole)
    .toString('utf8')
    .split('\n')
    .slice(0, -1)
    .map((line, index) => parseLine(path, index + 1, line, owner))
  const fd = openSync(path, 'a', 0o600)
  // A new file's directory entry must be durable too.
  syncDirectory(dirname(path))
  let closed = false
  return {
    ...(repaired ? { repaired } : {}),
    releases: () => [...releases],
    async record(release) {
      if (closed) throw new MsflError('PROTOCOL', `privacy ledger ${path}: closed`)
      const checked = checkRelease(release, owner, 'PROTOCOL', `privacy ledger ${path}`)
      writeSync(fd, `${JSON.stringify(checked)}\n`)
      fsyncSync(fd)
      releases.push(checked)
    },
    close() {
      if (closed) return
      closed = true
      closeSync(fd)
    },
  }
}

function parseLine(
  path: string,
  line: number,
  text: string,
  owner: { readonly runId: string; readonly clientId: string },
): PrivacyRelease {
  const at = `privacy ledger ${path} line ${line}`
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new MsflError('CONFIG_INVALID', `${at}: not JSON`)
  }
  return checkRelease(value, owner, 'CONFIG_INVALID', at)
}

/** A valid release of this run and owner, or an error at `at` naming the field. */
function checkRelease(
  value: unknown,
  owner: { readonly runId: string; readonly clientId: string },
  code: 'CONFIG_INVALID' | 'PROTOCOL',
  at: string,
): PrivacyRelease {
  const parsed = privacyReleaseSchema.safeParse(value)
  if (!parsed.success) throw new MsflError(code, `${at}: ${describeZodError(parsed.error)}`)
  const { runId, clientId } = parsed.data
  const foreign =
    runId !== owner.runId
      ? `runId is ${runId}, this run is ${owner.runId}`
      : clientId !== owner.clientId
        ? `clientId is ${clientId}, this owner is ${owner.clientId}`
        : undefined
  if (foreign) throw new MsflError(code, `${at}: ${foreign}: a release of another run or owner`)
  return parsed.data
}

function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}
