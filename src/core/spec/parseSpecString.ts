import { MsflError } from '../errors/msflError.ts'

/** An option value in a spec string: a string, a number or a boolean. */
export type SpecValue = string | number | boolean

/** A name with options, e.g. `{ name: 'nsl-kdd', options: { labels: 'binary' } }`. */
export interface NamedSpec {
  readonly name: string
  readonly options: Record<string, SpecValue>
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i

/**
 * Parses `name[:key=value[,key=value…]]`, the one syntax for datasets, models,
 * attacks and aggregators, e.g. `nsl-kdd:labels=binary` or `mnist:l2,downsample=14`.
 * Values that look like numbers or booleans become numbers or booleans; a bare key
 * means `true`. Whether names and options exist is the caller's job; `what` names the
 * kind of spec in error messages.
 */
export function parseSpecString(text: string, what: string): NamedSpec {
  const colon = text.indexOf(':')
  const name = (colon < 0 ? text : text.slice(0, colon)).trim()
  if (name === '') {
    throw new MsflError(
      'CONFIG_INVALID',
      `${what} spec '${text}' has no dataset name (expected name[:key=value,...])`,
    )
  }
  const options: Record<string, SpecValue> = {}
  if (colon < 0) return { name, options }
  for (const part of text.slice(colon + 1).split(',')) {
    const item = part.trim()
    if (item === '') continue
    const eq = item.indexOf('=')
    const key = (eq < 0 ? item : item.slice(0, eq)).trim()
    if (key === '') {
      throw new MsflError('CONFIG_INVALID', `${what} spec '${text}': option '${item}' has no name`)
    }
    if (Object.hasOwn(options, key)) {
      throw new MsflError(
        'CONFIG_INVALID',
        `${what} spec '${text}': option '${key}' is given twice`,
      )
    }
    options[key] = eq < 0 ? true : parseSpecValue(item.slice(eq + 1).trim())
  }
  return { name, options }
}

/** Converts an option string to a number or boolean when it unambiguously is one. */
export function parseSpecValue(raw: string): SpecValue {
  if (raw === 'true') return true
  if (raw === 'false') return false
  if (NUMBER.test(raw)) return Number(raw)
  return raw
}
