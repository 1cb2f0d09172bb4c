import { MsflError } from '../errors/msflError.ts'
import { parseSpecString } from '../spec/parseSpecString.ts'
import { type OptionSchema, type ResolvedOptions, resolveSpecOptions } from '../spec/specOptions.ts'

/** The update protections `--privacy` combines with `+`, each with its options. */
export const PRIVACY_OPTIONS = {
  dp: {
    epsilon: {
      kind: 'number',
      default: 3,
      min: 0.01,
      max: 100,
      description: 'sample-level DP-SGD: the ε every data owner may spend over the whole run',
    },
    delta: {
      kind: 'number',
      default: 1e-5,
      min: 1e-12,
      max: 0.1,
      description: 'the δ of (ε, δ); keep it well below 1/rows',
    },
    clip: {
      kind: 'number',
      default: 1,
      min: 1e-6,
      max: 1e6,
      description: 'per-example gradient clipping norm C',
    },
  },
  paillier: {
    bits: {
      kind: 'choice',
      values: [2048, 3072],
      default: 2048,
      description: 'modulus size of the key holder’s Paillier key',
    },
    precision: {
      kind: 'number',
      default: 16,
      integer: true,
      min: 8,
      max: 40,
      description: 'bits per packed value (the quantisation step is 2·range / (2^precision − 1))',
    },
    range: {
      kind: 'number',
      default: 1,
      min: 1e-6,
      max: 1e6,
      description: 'values (nᵢ/nRef)·Δᵢ are clamped to [−range, range] before packing',
    },
  },
  secagg: {
    t: {
      kind: 'number',
      default: 0,
      integer: true,
      min: 0,
      max: 100_000,
      description:
        'threshold: shares needed to recover a seed, the round aborts below it (0: a majority of the round)',
    },
    clip: {
      kind: 'number',
      default: 1,
      min: 1e-6,
      max: 1e6,
      description:
        'inputs (nᵢ/nRef)·Δᵢ are clipped to [−clip, clip] before quantisation into Z_2^32',
    },
    degree: {
      kind: 'number',
      default: 0,
      integer: true,
      min: 0,
      max: 100_000,
      description: 'SecAgg+ neighbourhood degree (even); 0 pairs every client with every other',
    },
    timeout: {
      kind: 'number',
      default: 10_000,
      integer: true,
      min: 10,
      max: 3_600_000,
      description: 'milliseconds the server waits for each protocol stage',
    },
  },
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

/** Protections that hide each update from the server (at most one per run: they do not stack). */
export const HIDING_PROTECTIONS: readonly PrivacyName[] = ['ckks', 'paillier', 'secagg']

/**
 * Parses `--privacy`, e.g. `dp:epsilon=3,delta=1e-5+ckks`: parts joined by `+`, each
 * `name[:key=value,…]`, every option checked, no part twice, and at most one part that
 * hides individual updates from the server (they cannot be stacked). `dp` composes with
 * any of them: the noise is added before the update is hidden.
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
  if (out.filter((p) => HIDING_PROTECTIONS.includes(p.name)).length > 1)
    throw new MsflError(
      'CONFIG_INVALID',
      `privacy: ${HIDING_PROTECTIONS.join(', ')} each hide the updates; name at most one`,
    )
  return out
}
