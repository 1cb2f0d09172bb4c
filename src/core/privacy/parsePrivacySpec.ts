import { MsflError } from '../errors/msflError.ts'
import { parseSpecString, type SpecValue } from '../spec/parseSpecString.ts'
import { type OptionSchema, type OptionsOf, resolveSpecOptions } from '../spec/specOptions.ts'

/** The update protections `--privacy` combines with `+`, each with its options. */
export const PRIVACY_OPTIONS = {
  dp: {
    level: {
      kind: 'choice',
      values: ['sample', 'client'],
      default: 'sample',
      description:
        'sample: DP-SGD inside every data owner (one record); client: DP-FedAvg (one owner’s whole data)',
    },
    epsilon: {
      kind: 'number',
      default: 3,
      min: 0.01,
      max: 100,
      description:
        'the ε budget of the whole run (sample: per data owner; client: for every client)',
    },
    delta: {
      kind: 'number',
      default: 1e-5,
      min: 1e-12,
      max: 0.1,
      description: 'the δ of (ε, δ); keep it well below 1/rows (sample) or 1/clients (client)',
    },
    clip: {
      kind: 'number',
      default: 1,
      min: 1e-6,
      max: 1e6,
      description: 'sample: per-example gradient norm C; client: update norm S',
    },
    noise: {
      kind: 'choice',
      values: ['central', 'distributed'],
      default: 'central',
      description:
        'client: the server noises the sum (central) or every client adds a share under secagg, ckks or paillier (distributed)',
    },
    sampling: {
      kind: 'number',
      default: 1,
      min: 1e-4,
      max: 1,
      description: 'client: q, the probability that a client takes part in a round (Poisson)',
    },
    min: {
      kind: 'number',
      default: 0,
      integer: true,
      min: 0,
      max: 100_000,
      description:
        'client, distributed: t, the fewest noise shares a released sum holds (0: secagg’s t)',
    },
    sigma: {
      kind: 'number',
      default: 0,
      min: 0,
      max: 1e6,
      description:
        'client: the noise multiplier σ; 0 calibrates it so that the rounds end at ε ≤ epsilon',
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
        'threshold: shares needed to recover a seed, the round aborts below it; raised to a majority of the round when below (0: a majority)',
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

/** The name of a protection `--privacy` knows: dp, paillier, secagg or ckks. */
export type PrivacyName = keyof typeof PRIVACY_OPTIONS

/** Every option of `dp`, typed from the table; client level reads them all. */
export type ClientDpOptions = OptionsOf<(typeof PRIVACY_OPTIONS)['dp']> & {
  readonly level: 'client'
}

/** Sample-level DP keeps only its three options (its canonical spec stays `dp:epsilon,delta,clip`). */
export interface SampleDpOptions {
  readonly level?: undefined
  readonly epsilon: number
  readonly delta: number
  readonly clip: number
}

/** `dp` with its options, discriminated by `options.level`. */
export interface DpPart {
  readonly name: 'dp'
  readonly options: SampleDpOptions | ClientDpOptions
}

/** A protection that hides each update from the server, with its typed options. */
export type HidingPart = {
  readonly [N in Exclude<PrivacyName, 'dp'>]: {
    readonly name: N
    readonly options: OptionsOf<(typeof PRIVACY_OPTIONS)[N]>
  }
}[Exclude<PrivacyName, 'dp'>]

/**
 * One protection of a `--privacy` spec (`dp`, `ckks`, `paillier` or `secagg`) with its
 * resolved options, typed per protection.
 */
export type PrivacyPart = DpPart | HidingPart

/** Protections that hide each update from the server (at most one per run: they do not stack). */
export const HIDING_PROTECTIONS: readonly PrivacyName[] = ['ckks', 'paillier', 'secagg']

/** Whether a part hides individual updates (ckks, paillier or secagg). */
export function isHiding(part: PrivacyPart): part is HidingPart {
  return part.name !== 'dp'
}

/**
 * Parses `--privacy`, e.g. `dp:epsilon=3,delta=1e-5+ckks`: parts joined by `+`, each
 * `name[:key=value,…]`, every option checked, no part twice, and at most one part that
 * hides individual updates from the server (they cannot be stacked). `dp` composes with
 * any of them: the noise is added before the update is hidden (sample level, and client
 * level with distributed noise) or after the sum is revealed (client level, central);
 * client-level combinations that would not protect what they claim are refused.
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
    out.push(resolvePart(name, spec.options))
  }
  const hiding = out.filter(isHiding)
  if (hiding.length > 1)
    throw new MsflError(
      'CONFIG_INVALID',
      `privacy: ${HIDING_PROTECTIONS.join(', ')} each hide the updates; name at most one`,
    )
  const dp = out.find((p) => p.name === 'dp')
  if (dp?.options.level === 'client') checkClientLevel(dp.options, hiding[0])
  return out
}

function resolvePart(name: PrivacyName, given: Readonly<Record<string, SpecValue>>): PrivacyPart {
  const owner = `privacy '${name}'`
  switch (name) {
    case 'dp':
      return {
        name,
        options: dpLevelOptions(resolveSpecOptions(owner, given, PRIVACY_OPTIONS.dp), given),
      }
    case 'ckks':
      return { name, options: resolveSpecOptions(owner, given, PRIVACY_OPTIONS.ckks) }
    case 'paillier':
      return { name, options: resolveSpecOptions(owner, given, PRIVACY_OPTIONS.paillier) }
    case 'secagg':
      return { name, options: resolveSpecOptions(owner, given, PRIVACY_OPTIONS.secagg) }
  }
}

/** Options that only client-level DP reads. */
const CLIENT_ONLY = ['noise', 'sampling', 'min', 'sigma'] as const

/**
 * Sample-level DP keeps exactly its three options (so its canonical spec is unchanged);
 * client-level options given with level=sample are a mistake worth naming.
 */
function dpLevelOptions(
  resolved: OptionsOf<(typeof PRIVACY_OPTIONS)['dp']>,
  given: Readonly<Record<string, unknown>>,
): DpPart['options'] {
  if (resolved.level === 'client') return { ...resolved, level: 'client' }
  for (const key of CLIENT_ONLY)
    if (Object.hasOwn(given, key))
      throw new MsflError('CONFIG_INVALID', `privacy: dp option '${key}' needs level=client`)
  const { epsilon, delta, clip } = resolved
  return { epsilon, delta, clip }
}

/**
 * The combinations of client-level DP that protect what they claim (docs/differential-privacy.md):
 * - distributed noise needs a protection under which the server sees only the sum of
 *   the shares, and a floor t on the shares in every released sum: secagg enforces its
 *   own t (which must be at least dp min), ckks and paillier rounds are admitted only
 *   with at least dp min ≥ 2 updates before the key holder decrypts;
 * - central noise behind a protection needs sampling=1: the protections need a minimum
 *   number of contributors, and dropping a round because a Poisson sample fell below it
 *   would depend on who was sampled, which the amplification analysis does not cover.
 */
function checkClientLevel(o: ClientDpOptions, hiding: HidingPart | undefined): void {
  const min = o.min
  const fail = (message: string) => new MsflError('CONFIG_INVALID', `privacy: dp ${message}`)
  if (o.noise === 'central') {
    if (min !== 0) throw fail('min applies to noise=distributed only')
    if (hiding && o.sampling !== 1)
      throw fail(
        `sampling=${o.sampling} with noise=central needs sampling=1 behind ${hiding.name}: a Poisson sample can fall below the protection’s minimum of contributors`,
      )
    return
  }
  if (!hiding)
    throw fail(
      `noise=distributed needs ${HIDING_PROTECTIONS.join(', ')} (e.g. +secagg:t=3): the server must see only the sum of the noise shares`,
    )
  if (hiding.name === 'secagg') {
    const t = hiding.options.t
    if (t === 0)
      throw fail(
        'noise=distributed needs secagg t=… (the fewest shares secagg unmasks): a majority of the round is no fixed floor',
      )
    if (min > t)
      throw fail(
        `min=${min} exceeds secagg t=${t}: secagg could unmask a sum of fewer noise shares than σ is calibrated for`,
      )
  } else if (min < 2)
    throw fail(
      `noise=distributed with ${hiding.name} needs min=t ≥ 2: the fewest noise shares the key holder may decrypt`,
    )
}
