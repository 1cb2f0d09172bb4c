import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { createOwnerRowsCheck, type OwnerRows } from '../../core/data/checkOwnerRows.ts'
import type { TabularSchema } from '../../core/data/tabularSchema.ts'
import { MsflError } from '../../core/errors/msflError.ts'

/** Largest owner CSV read by default: 256 MiB of text (Adult's training file is 3.8 MB). */
export const DEFAULT_MAX_OWNER_CSV_BYTES = 256 * 1024 * 1024

/** Longest line accepted: far above any real row (an Adult row is ~110 bytes). */
const MAX_LINE_CHARS = 1024 * 1024

/** Options of `readOwnerCsv`. */
export interface ReadOwnerCsvOptions {
  /** Refuse a file larger than this many bytes (default DEFAULT_MAX_OWNER_CSV_BYTES). */
  readonly maxBytes?: number
}

/**
 * Reads one data owner's own CSV file and checks every row against the job's schema
 * (header names, numbers, categories, label classes, row count; core/data/checkOwnerRows.ts).
 * The file is streamed line by line as strict UTF-8, so memory holds the checked rows but
 * never the whole text, and a file over `maxBytes` is refused before or while it is read.
 * Any problem is an MsflError('DATA_FORMAT') naming the file, row, column and problem, and
 * no rows are returned.
 */
export async function readOwnerCsv(
  path: string,
  schema: TabularSchema,
  options: ReadOwnerCsvOptions = {},
): Promise<OwnerRows> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_OWNER_CSV_BYTES
  const tooLarge = (size: number) =>
    new MsflError(
      'DATA_FORMAT',
      `${path}: file too large (${size} bytes, the limit is ${maxBytes})`,
    )
  let size: number
  try {
    const info = await stat(path)
    if (!info.isFile()) throw new MsflError('DATA_MISSING', `${path}: not a regular file`)
    size = info.size
  } catch (cause) {
    if (cause instanceof MsflError) throw cause
    throw new MsflError('DATA_MISSING', `${path}: cannot be read (${describe(cause)})`, { cause })
  }
  if (size > maxBytes) throw tooLarge(size)

  const check = createOwnerRowsCheck(schema, path)
  const decoder = new TextDecoder('utf-8', { fatal: true })
  let pending = ''
  let read = 0
  let lines = 0
  const tooLong = () =>
    new MsflError(
      'DATA_FORMAT',
      `${path}: line ${lines + 1} is longer than ${MAX_LINE_CHARS} characters`,
    )
  const emit = (line: string) => {
    if (line.length > MAX_LINE_CHARS) throw tooLong()
    lines++
    check.line(line.endsWith('\r') ? line.slice(0, -1) : line)
  }
  const feed = (text: string) => {
    // Only a chunk with a line break is split, so a long line costs linear time.
    if (text.includes('\n')) {
      const parts = (pending + text).split('\n')
      pending = parts.pop()!
      for (const line of parts) emit(line)
    } else pending += text
    if (pending.length > MAX_LINE_CHARS) throw tooLong()
  }
  const stream = createReadStream(path)
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      // The file may grow after stat: the limit holds for what is actually read.
      read += chunk.length
      if (read > maxBytes) throw tooLarge(read)
      feed(decodeUtf8(decoder, chunk, path, lines))
    }
    feed(decodeUtf8(decoder, undefined, path, lines))
  } catch (cause) {
    if (cause instanceof MsflError) throw cause
    throw new MsflError('DATA_MISSING', `${path}: cannot be read (${describe(cause)})`, { cause })
  } finally {
    stream.destroy()
  }
  if (pending !== '') emit(pending)
  return check.finish()
}

/**
 * One chunk decoded in streaming mode (`undefined` flushes); invalid UTF-8 is a data error
 * naming the line it is on (`linesBefore` complete lines precede the chunk).
 */
function decodeUtf8(
  decoder: TextDecoder,
  chunk: Buffer | undefined,
  path: string,
  linesBefore: number,
): string {
  try {
    return chunk === undefined ? decoder.decode() : decoder.decode(chunk, { stream: true })
  } catch (cause) {
    // A lenient decode marks the first bad sequence with U+FFFD; the line breaks before it
    // say which line holds it.
    const lenient = chunk === undefined ? '' : new TextDecoder('utf-8').decode(chunk)
    const bad = Math.max(0, lenient.indexOf('\uFFFD'))
    const line = linesBefore + 1 + (lenient.slice(0, bad).match(/\n/g)?.length ?? 0)
    throw new MsflError('DATA_FORMAT', `${path}: line ${line}: not valid UTF-8 text`, { cause })
  }
}

function describe(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? String(error)
}
