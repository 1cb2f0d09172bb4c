import { MsflError } from '../errors/msflError.ts'
import { parseSpecString } from '../spec/parseSpecString.ts'
import { type OptionSchema, type ResolvedOptions, resolveSpecOptions } from '../spec/specOptions.ts'

/** The update protections `--privacy` combines with `+`, each with its options. */
export const PRIVACY_OPTIONS = {
  ckks: {
    preset: {
      kind: 'choice',
      values: ['ckks-8192', 'ckks-16384'],
      default: 'ckks-8192',
      description: 'CKKS parameters the owners encrypt their updates under',
    },
  },
} as const satisfies Readonly<Record<string, OptionSchema>>

export type PrivacyName = keyof typeof PRIVACY_OPTIONS

export interface PrivacyPart {
  readonly name: PrivacyName
  readonly options: ResolvedOptions
}

/**
 * Parses `--privacy`, e.g. `ckks` or `ckks:preset=ckks-16384`: parts joined by `+`,
 * each `name[:key=value,…]`, every option checked, no part twice, and at most one part
 * that hides individual updates from the server (they cannot be stacked).
 */
export function parsePrivacySpec(text: string): PrivacyPart[] {
  const parts = text.split('+').map((part) => part.trim())
  if (parts.some((part) => part === ''))
    throw new MsflError('CONFIG_INVALID', `privacy: '${text}' has an empty part around '+'`)
  const out: PrivacyPart[] = []
  for (const part of parts) {
    const spec = parseSpecString(part, 'privacy')
    if (!Object.hasOwn(PRIVACY_OPTIONS, spec.name))
      throw new MsflError(
        'CONFIG_INVALID',
        `privacy: unknown protection '${spec.name}' (valid: ${Object.keys(PRIVACY_OPTIONS).join(', ')})`,
      )
    const name = spec.name as PrivacyName
    if (out.some((p) => p.name === name))
      throw new MsflError('CONFIG_INVALID', `privacy: '${name}' is given twice`)
    out.push({
      name,
      options: resolveSpecOptions(`privacy '${name}'`, spec.options, PRIVACY_OPTIONS[name]),
    })
  }
  return out
}
