import { MsflError } from '../errors/msflError.ts'

export type DatasetOptionValue = string | number | boolean

/** A dataset name with loader options, e.g. `{ name: 'nsl-kdd', options: { labels: 'binary' } }`. */
export interface DatasetSpec {
  readonly name: string
  readonly options: Record<string, DatasetOptionValue>
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i

/**
 * Parses `name[:key=value[,key=value…]]`, e.g. `nsl-kdd:labels=binary` or
 * `mnist:l2,downsample=14`. Values that look like numbers or booleans become numbers or
 * booleans; a bare key means `true`. Whether names and options exist is the loader's job.
 */
export function parseDatasetSpec(text: string): DatasetSpec {
  const colon = text.indexOf(':')
  const name = (colon < 0 ? text : text.slice(0, colon)).trim()
  if (name === '') {
    throw new MsflError(
      'CONFIG_INVALID',
      `dataset spec '${text}' has no dataset name (expected name[:key=value,...])`,
    )
  }
  const options: Record<string, DatasetOptionValue> = {}
  if (colon < 0) return { name, options }
  for (const part of text.slice(colon + 1).split(',')) {
    const item = part.trim()
    if (item === '') continue
    const eq = item.indexOf('=')
    const key = (eq < 0 ? item : item.slice(0, eq)).trim()
    if (key === '') {
      throw new MsflError('CONFIG_INVALID', `dataset spec '${text}': option '${item}' has no name`)
    }
    if (Object.hasOwn(options, key)) {
      throw new MsflError(
        'CONFIG_INVALID',
        `dataset spec '${text}': option '${key}' is given twice`,
      )
    }
    options[key] = eq < 0 ? true : parseOptionValue(item.slice(eq + 1).trim())
  }
  return { name, options }
}

/** Converts an option string to a number or boolean when it unambiguously is one. */
export function parseOptionValue(raw: string): DatasetOptionValue {
  if (raw === 'true') return true
  if (raw === 'false') return false
  if (NUMBER.test(raw)) return Number(raw)
  return raw
}
