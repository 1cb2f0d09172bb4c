import { MsflError } from '../errors/msflError.ts'

const LINE = /^([0-9a-f]{64}) [ *](.+)$/

/**
 * Parses `sha256sum` output (`<64 hex>  <path>`, or ` *<path>` in binary mode) into
 * path → lowercase hex digest. Paths must be relative and stay inside the data folder,
 * because the checksum list decides which files get opened.
 */
export function parseSha256Sums(text: string, source: string): Map<string, string> {
  const sums = new Map<string, string>()
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim()
    if (line === '' || line.startsWith('#')) continue
    const match = LINE.exec(line.replace(/^([0-9A-F]{64})/, (hex) => hex.toLowerCase()))
    if (!match) {
      throw new MsflError('DATA_FORMAT', `${source}: line ${i + 1} is not '<sha256>  <path>'`)
    }
    const path = match[2]!
    if (
      path.startsWith('/') ||
      path.split('/').some((segment) => segment === '..' || segment === '')
    ) {
      throw new MsflError(
        'DATA_INTEGRITY',
        `${source}: line ${i + 1}: path '${path}' leaves the data folder`,
      )
    }
    if (sums.has(path)) {
      throw new MsflError('DATA_FORMAT', `${source}: line ${i + 1}: '${path}' is listed twice`)
    }
    sums.set(path, match[1]!)
  }
  return sums
}
