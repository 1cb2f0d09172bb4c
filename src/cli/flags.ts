import { MsflError } from '../core/errors/msflError.ts'

/** A command-line flag and where its value goes in the config. */
export interface FlagDefinition {
  readonly flag: string
  readonly path: readonly string[]
  readonly type: 'string' | 'number'
  readonly help: string
}

/** Sets values at config paths from parsed flags; numbers are parsed strictly. */
export function applyFlags(
  base: Record<string, unknown>,
  values: Record<string, string | boolean | undefined>,
  definitions: readonly FlagDefinition[],
): Record<string, unknown> {
  const out: Record<string, unknown> = structuredClone(base)
  for (const def of definitions) {
    const raw = values[def.flag]
    if (raw === undefined || typeof raw === 'boolean') continue
    let value: unknown = raw
    if (def.type === 'number') {
      const n = raw.trim() === '' ? Number.NaN : Number(raw)
      if (!Number.isFinite(n))
        throw new MsflError(
          'CONFIG_INVALID',
          `--${def.flag}: expected a number, got ${JSON.stringify(raw)}`,
        )
      value = n
    }
    let target = out
    for (const key of def.path.slice(0, -1)) {
      const next = target[key]
      if (next === undefined) target[key] = {}
      else if (typeof next !== 'object' || next === null || Array.isArray(next))
        throw new MsflError(
          'CONFIG_INVALID',
          `${def.path.slice(0, -1).join('.')}: must be an object`,
        )
      target = target[key] as Record<string, unknown>
    }
    target[def.path.at(-1)!] = value
  }
  return out
}

/** "rounds (--rounds)" when a config path has a flag, else just the path. */
export function fieldName(path: string, definitions: readonly FlagDefinition[]): string {
  const def = definitions.find((d) => d.path.join('.') === path)
  return def ? `${path} (--${def.flag})` : path
}
