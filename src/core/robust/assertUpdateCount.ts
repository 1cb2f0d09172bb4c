import { MsflError } from '../errors/msflError.ts'

/** f is a count of parties: anything but a non-negative integer is a configuration mistake. */
export function assertValidF(rule: string, f: number): void {
  if (!Number.isInteger(f) || f < 0)
    throw new MsflError('CONFIG_INVALID', `${rule}: f must be a non-negative integer; got ${f}`)
}

/**
 * Throws CONFIG_INVALID unless `ok`: the message names the rule, its requirement and
 * the offending n and f, so a misconfigured run says exactly what to change.
 */
export function assertUpdateCount(
  rule: string,
  n: number,
  f: number,
  ok: boolean,
  requirement: string,
): void {
  assertValidF(rule, f)
  if (!ok)
    throw new MsflError(
      'CONFIG_INVALID',
      `${rule} needs ${requirement} updates; got n = ${n} with f = ${f}`,
    )
}
