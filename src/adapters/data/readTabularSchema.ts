import { readFile, stat } from 'node:fs/promises'
import { parseTabularSchema, type TabularSchema } from '../../core/data/tabularSchema.ts'
import { MsflError } from '../../core/errors/msflError.ts'

/** A schema file is a few kilobytes; anything far larger is not one. */
const MAX_SCHEMA_BYTES = 16 * 1024 * 1024

/**
 * Reads a job's tabular schema file (JSON, `format: msfl-tabular-schema/1`) and validates
 * it (core/data/tabularSchema.ts); errors name the file and the field at fault.
 */
export async function readTabularSchema(path: string): Promise<TabularSchema> {
  let text: string
  try {
    const { size } = await stat(path)
    if (size > MAX_SCHEMA_BYTES)
      throw new MsflError(
        'CONFIG_INVALID',
        `${path}: schema file too large (${size} bytes, the limit is ${MAX_SCHEMA_BYTES})`,
      )
    text = await readFile(path, 'utf8')
  } catch (cause) {
    if (cause instanceof MsflError) throw cause
    throw new MsflError('DATA_MISSING', `${path}: schema file cannot be read`, { cause })
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (cause) {
    throw new MsflError('CONFIG_INVALID', `${path}: not valid JSON (${(cause as Error).message})`, {
      cause,
    })
  }
  return parseTabularSchema(json, path)
}
