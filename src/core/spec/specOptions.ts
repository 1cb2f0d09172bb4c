import { MsflError } from '../errors/msflError.ts'
import type { SpecValue } from './parseSpecString.ts'

/** What one option accepts (of a dataset, attack or aggregator), its default, and a line of help. */
export type OptionSpec =
  | { readonly kind: 'boolean'; readonly default: boolean; readonly description: string }
  | {
      readonly kind: 'number'
      readonly default: number
      readonly integer?: boolean
      readonly min: number
      readonly max: number
      readonly description: string
    }
  | {
      readonly kind: 'text'
      readonly default: string
      /** The whole value must match. */
      readonly pattern: RegExp
      /** Shown in errors and help, e.g. "reverse or a>b/c>d". */
      readonly format: string
      readonly description: string
    }
  | {
      readonly kind: 'choice'
      readonly values: readonly (string | number)[]
      readonly default: string | number
      readonly description: string
    }

/** The options a spec accepts, by name. */
export type OptionSchema = Readonly<Record<string, OptionSpec>>

/** Options after validation, with defaults filled in. */
export type ResolvedOptions = Readonly<Record<string, SpecValue>>

/** The value type one option spec accepts: a choice's literal values, a number, text or a flag. */
export type OptionValue<S extends OptionSpec> = S extends { readonly kind: 'choice' }
  ? S['values'][number]
  : S extends { readonly kind: 'number' }
    ? number
    : S extends { readonly kind: 'boolean' }
      ? boolean
      : string

/**
 * The resolved options of a schema declared `as const`, each typed from its spec, so a
 * caller reads `options.noise` as `'central' | 'distributed'` with no cast.
 */
export type OptionsOf<S extends OptionSchema> = { readonly [K in keyof S]: OptionValue<S[K]> }

/**
 * Checks the given options against a schema and fills in defaults. Unknown names are
 * errors rather than ignored, so a typo (`label=binary`) cannot silently run the
 * wrong experiment. `owner` names what the options belong to, e.g. "dataset 'mnist'".
 */
export function resolveSpecOptions<S extends OptionSchema>(
  owner: string,
  given: Readonly<Record<string, SpecValue>>,
  schema: S,
): OptionsOf<S> {
  const valid = Object.keys(schema)
  for (const key of Object.keys(given)) {
    if (!Object.hasOwn(schema, key)) {
      throw new MsflError(
        'CONFIG_INVALID',
        `${owner}: unknown option '${key}' (valid: ${valid.length > 0 ? valid.join(', ') : 'none'})`,
      )
    }
  }
  const resolved: Record<string, SpecValue> = {}
  for (const [key, spec] of Object.entries(schema)) {
    const value = Object.hasOwn(given, key) ? given[key]! : spec.default
    if (!accepts(spec, value)) {
      throw new MsflError(
        'CONFIG_INVALID',
        `${owner}: option '${key}' must be ${describeOption(spec)}, got ${JSON.stringify(value)}`,
      )
    }
    resolved[key] = value
  }
  // Every key of the schema was checked against its spec above.
  return resolved as OptionsOf<S>
}

function accepts(spec: OptionSpec, value: SpecValue): boolean {
  switch (spec.kind) {
    case 'boolean':
      return typeof value === 'boolean'
    case 'number':
      return (
        typeof value === 'number' &&
        Number.isFinite(value) &&
        (!spec.integer || Number.isInteger(value)) &&
        value >= spec.min &&
        value <= spec.max
      )
    case 'choice':
      return spec.values.includes(value as string | number)
    case 'text':
      return typeof value === 'string' && spec.pattern.test(value)
  }
}

/** Human-readable description of the accepted values, as used in error messages and help. */
export function describeOption(spec: OptionSpec): string {
  switch (spec.kind) {
    case 'boolean':
      return 'true or false'
    case 'number':
      return `${spec.integer ? 'an integer' : 'a number'} in ${spec.min}..${spec.max}`
    case 'choice':
      return `one of ${spec.values.join(', ')}`
    case 'text':
      return spec.format
  }
}
