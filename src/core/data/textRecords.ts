import { MsflError } from '../errors/msflError.ts'

/** One comma-separated record with its 1-based line number, kept for error messages. */
export interface TextRecord {
  readonly line: number
  readonly fields: readonly string[]
}

export interface TextRecordOptions {
  /** Every kept line must have exactly this many fields. */
  readonly fieldCount: number
  /** Leading lines that are not records (e.g. a header); line numbers still count them. */
  readonly headerLines?: number
  /** Lines to drop besides empty ones (e.g. a banner line). */
  readonly skip?: (line: string) => boolean
}

/**
 * Splits comma-separated text into trimmed fields. No quoting: none of the bundled
 * datasets quote fields, and a wrong field count is reported instead of guessed at.
 */
export function parseTextRecords(
  text: string,
  source: string,
  options: TextRecordOptions,
): TextRecord[] {
  const records: TextRecord[] = []
  const lines = text.split('\n')
  for (let i = options.headerLines ?? 0; i < lines.length; i++) {
    const line = lines[i]!.trim()
    if (line === '' || options.skip?.(line)) continue
    const fields = line.split(',').map((field) => field.trim())
    if (fields.length !== options.fieldCount) {
      throw new MsflError(
        'DATA_FORMAT',
        `${source}: line ${i + 1} has ${fields.length} fields, expected ${options.fieldCount}`,
      )
    }
    records.push({ line: i + 1, fields })
  }
  return records
}

/** Parses a numeric field strictly: empty strings and junk are errors, not 0 or NaN. */
export function parseNumberField(
  value: string,
  source: string,
  line: number,
  column: string,
): number {
  const parsed = value === '' ? Number.NaN : Number(value)
  if (!Number.isFinite(parsed)) {
    throw new MsflError(
      'DATA_FORMAT',
      `${source}: line ${line}: field '${column}' is not a number ('${value}')`,
    )
  }
  return parsed
}
