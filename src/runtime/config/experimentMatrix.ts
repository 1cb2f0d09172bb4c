import { z } from 'zod'
import { MsflError } from '../../core/errors/msflError.ts'
import { type SimulationConfig, simulationConfigSchema } from './simulationConfig.ts'

/** Simulation-config keys the matrix's own axes set (key → axis); a variant may not set them too. */
const AXIS_OF_KEY: Readonly<Record<string, string>> = {
  aggregator: 'aggregators',
  attack: 'attacks',
  malicious: 'malicious',
  privacy: 'privacy',
  seed: 'seeds',
}

/**
 * A named change to the base config (e.g. another dataset with the model that suits
 * it, and its own number of rounds). `set` is merged over `base`, objects key by key.
 */
export const experimentVariantSchema = z
  .object({
    name: z.string().min(1).max(100),
    set: z.record(z.string(), z.unknown()).default({}),
  })
  .strict()

export type ExperimentVariant = z.infer<typeof experimentVariantSchema>

/**
 * An experiment: one base simulation config crossed with variants, defences, attacks,
 * malicious fractions and seeds. `none` in attacks is the clean baseline and runs
 * once per defence and seed, whatever the fractions.
 */
export const experimentMatrixSchema = z
  .object({
    name: z.string().min(1).max(100).default('experiment'),
    base: z.record(z.string(), z.unknown()).default({}),
    /** Named partial configs merged over `base`; empty: the base config alone. */
    variants: z
      .array(experimentVariantSchema)
      .optional()
      .superRefine((variants, ctx) => {
        const seen = new Set<string>()
        variants?.forEach((v, i) => {
          if (seen.has(v.name))
            ctx.addIssue({
              code: 'custom',
              path: [i, 'name'],
              message: `duplicate variant name '${v.name}'`,
            })
          seen.add(v.name)
        })
      }),
    aggregators: z.array(z.string().min(1)).min(1),
    attacks: z.array(z.string().min(1)).min(1),
    malicious: z.array(z.number().min(0).lt(1)).min(1),
    /** Numbers of data owners to run each cell with; empty: the base config's. */
    clients: z.array(z.number().int().min(1).max(100_000)).default([]),
    /** Update protections (`--privacy` specs); `none` is plain FedAvg. */
    privacy: z.array(z.string().min(1).max(300)).min(1).default(['none']),
    seeds: z
      .array(
        z
          .number()
          .int()
          .min(0)
          .max(2 ** 32 - 1),
      )
      .min(1)
      .default([42]),
  })
  .strict()

export type ExperimentMatrix = z.infer<typeof experimentMatrixSchema>
/** A matrix as written by hand or in a preset: axes with defaults may be left out. */
export type ExperimentMatrixInput = z.input<typeof experimentMatrixSchema>

export interface ExperimentCell {
  readonly index: number
  /** The variant's name, or '' when the matrix has no variants. */
  readonly variant: string
  readonly aggregator: string
  /** The `--privacy` spec, or `none`. */
  readonly privacy: string
  /** Data owners in this cell. */
  readonly clients: number
  readonly attack: string
  readonly malicious: number
  readonly seed: number
  readonly config: SimulationConfig
}

/** Every run of the matrix, each with its full validated simulation config. */
export function expandMatrix(matrix: ExperimentMatrix): ExperimentCell[] {
  const variants = matrix.variants ?? []
  for (const [i, variant] of variants.entries())
    checkVariantKeys(variant, i, matrix.clients.length > 0)
  // No variants: one pass with the base config alone, exactly as before variants existed.
  const passes: (readonly [number, ExperimentVariant | undefined])[] =
    variants.length > 0 ? [...variants.entries()] : [[-1, undefined]]
  const cells: ExperimentCell[] = []
  for (const seed of matrix.seeds)
    for (const [v, variant] of passes)
      for (const attack of matrix.attacks)
        for (const malicious of attack === 'none' ? [0] : matrix.malicious)
          for (const aggregator of matrix.aggregators)
            for (const privacy of matrix.privacy)
              for (const clients of matrix.clients.length > 0 ? matrix.clients : [undefined]) {
                const input = {
                  ...(variant ? mergeOver(matrix.base, variant.set) : matrix.base),
                  ...(clients === undefined ? {} : { clients }),
                  aggregator,
                  seed,
                  malicious,
                  ...(attack === 'none' ? {} : { attack }),
                  ...(privacy === 'none' ? {} : { privacy }),
                }
                const parsed = simulationConfigSchema.safeParse(input)
                if (!parsed.success) {
                  const issue = parsed.error.issues[0]!
                  const path = issuePath(issue)
                  const where =
                    variant && setsPath(variant.set, path) ? `variants[${v}].set` : 'base'
                  throw new MsflError(
                    'CONFIG_INVALID',
                    `${[where, ...path].join('.')}: ${issue.message} (${variant ? `variant ${variant.name}, ` : ''}aggregator ${aggregator}, privacy ${privacy}, clients ${clients ?? 'base'}, attack ${attack}, malicious ${malicious})`,
                  )
                }
                cells.push({
                  index: cells.length,
                  variant: variant?.name ?? '',
                  aggregator,
                  privacy,
                  clients: parsed.data.clients,
                  attack,
                  malicious,
                  seed,
                  config: parsed.data,
                })
              }
  return cells
}

/** The axes win over a variant, so a variant setting an axis key would be silently ignored. */
function checkVariantKeys(variant: ExperimentVariant, i: number, clientsAxis: boolean): void {
  const axes = clientsAxis ? { ...AXIS_OF_KEY, clients: 'clients' } : AXIS_OF_KEY
  for (const [key, axis] of Object.entries(axes))
    if (Object.hasOwn(variant.set, key))
      throw new MsflError(
        'CONFIG_INVALID',
        `variants[${i}].set.${key}: is set by the matrix's ${axis} axis, not by a variant`,
      )
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** `over` merged into `base`: nested objects key by key (a variant can change one training field), anything else replaced. */
export function mergeOver(
  base: Readonly<Record<string, unknown>>,
  over: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base }
  for (const [key, value] of Object.entries(over)) {
    const below = merged[key]
    merged[key] = isPlainObject(below) && isPlainObject(value) ? mergeOver(below, value) : value
  }
  return merged
}

/** The path of the field at fault; an unknown key is named itself, not its parent object. */
function issuePath(issue: z.core.$ZodIssue): string[] {
  const path = issue.path.map(String)
  return issue.code === 'unrecognized_keys' && issue.keys.length > 0
    ? [...path, issue.keys[0]!]
    : path
}

/** Whether the value at `path` (or a whole object above it) came from the variant's `set`. */
function setsPath(set: Readonly<Record<string, unknown>>, path: readonly string[]): boolean {
  if (path.length === 0) return false
  let node: unknown = set
  for (const key of path) {
    if (!isPlainObject(node)) return true
    if (!Object.hasOwn(node, key)) return false
    node = node[key]
  }
  return true
}
