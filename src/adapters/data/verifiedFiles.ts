import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { gunzip } from 'node:zlib'
import { parseSha256Sums } from '../../core/data/parseSha256Sums.ts'
import { MsflError } from '../../core/errors/msflError.ts'

const gunzipAsync = promisify(gunzip)

export const CHECKSUM_FILE = 'SHA256SUMS'

/** Reads and parses `<dataDir>/SHA256SUMS` (path → expected hex digest). */
export async function readChecksums(dataDir: string): Promise<Map<string, string>> {
  const path = join(dataDir, CHECKSUM_FILE)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (cause) {
    throw new MsflError('DATA_INTEGRITY', `${path}: checksum list is missing or unreadable`, {
      cause,
    })
  }
  return parseSha256Sums(text, path)
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/** Reads a file below dataDir, or undefined when it does not exist. */
export async function readDataFile(dataDir: string, file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(join(dataDir, file))
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new MsflError('DATA_INTEGRITY', `${join(dataDir, file)}: cannot be read`, { cause })
  }
}

/**
 * Reads `file` (relative to dataDir), checks its SHA-256 against the list before any
 * parser sees a byte, and returns the content, gunzipped when the name ends in `.gz`.
 */
export async function readVerifiedFile(
  dataDir: string,
  file: string,
  sums: ReadonlyMap<string, string>,
): Promise<Uint8Array> {
  const path = join(dataDir, file)
  const expected = sums.get(file)
  if (expected === undefined) {
    throw new MsflError(
      'DATA_INTEGRITY',
      `${path}: not listed in ${CHECKSUM_FILE}; refusing to read an unverified file`,
    )
  }
  const bytes = await readDataFile(dataDir, file)
  if (bytes === undefined) {
    throw new MsflError('DATA_INTEGRITY', `${path}: file is missing (listed in ${CHECKSUM_FILE})`)
  }
  const actual = sha256Hex(bytes)
  if (actual !== expected) {
    throw new MsflError(
      'DATA_INTEGRITY',
      `${path}: SHA-256 mismatch (expected ${expected}, got ${actual}); the file is corrupted or was replaced`,
    )
  }
  if (!file.endsWith('.gz')) return bytes
  try {
    return await gunzipAsync(bytes)
  } catch (cause) {
    throw new MsflError('DATA_FORMAT', `${path}: not a valid gzip file`, { cause })
  }
}
