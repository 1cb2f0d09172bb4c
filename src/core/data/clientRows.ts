import { MsflError } from '../errors/msflError.ts'

/** Rows every client gets at least, unless asked otherwise: enough for a few minibatches. */
const DEFAULT_MIN_ROWS = 10

/**
 * Validates a client count and resolves the per-client minimum: the requested value, or
 * min(10, ⌊n / clients⌋) by default so that small datasets still partition.
 */
export function resolveMinRows(
  n: number,
  clients: number,
  requested: number | undefined,
  scheme: string,
): number {
  if (!Number.isInteger(clients) || clients < 1) {
    throw new MsflError(
      'CONFIG_INVALID',
      `${scheme} partition: clients must be a positive integer, got ${clients}`,
    )
  }
  if (n < clients) {
    throw new MsflError(
      'CONFIG_INVALID',
      `${scheme} partition: ${n} rows cannot give each of ${clients} clients a row`,
    )
  }
  const fairShare = Math.floor(n / clients)
  const minRows = requested ?? Math.min(DEFAULT_MIN_ROWS, fairShare)
  if (!Number.isInteger(minRows) || minRows < 0 || minRows > fairShare) {
    throw new MsflError(
      'CONFIG_INVALID',
      `${scheme} partition: minRows must be an integer in 0..${fairShare} for ${n} rows and ${clients} clients, got ${minRows}`,
    )
  }
  return minRows
}

/** Converts per-client row lists into sorted Int32Arrays (sorted rows copy faster). */
export function toPartition(buckets: readonly (readonly number[])[]): Int32Array[] {
  return buckets.map((rows) => Int32Array.from(rows).sort())
}
