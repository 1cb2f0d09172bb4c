import { isDeepStrictEqual } from 'node:util'
import { z } from 'zod'
import type { OwnerRows } from '../../core/data/checkOwnerRows.ts'
import type { Dataset } from '../../core/data/dataset.ts'
import type { TabularSchema } from '../../core/data/tabularSchema.ts'
import { describeZodError } from '../../core/errors/describeZodError.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import { parsePartitionSpec } from '../../core/fl/partitionClients.ts'
import { parseSpecString } from '../../core/spec/parseSpecString.ts'
import { readOwnerCsv } from './readOwnerCsv.ts'
import { splitBuiltinOwners } from './splitBuiltinOwners.ts'

/** The prefix that makes `--data` a built-in dataset part instead of a file path. */
export const BUILTIN_DATA_PREFIX = 'builtin:'

/** Options of `readOwnerData`. */
export interface ReadOwnerDataOptions {
  /**
   * The job's schema. A CSV file needs it; a built-in part is checked to have exactly this
   * schema, so an owner cannot train on rows the job did not declare.
   */
  readonly schema?: TabularSchema
  /** Largest CSV file accepted (see readOwnerCsv). */
  readonly maxBytes?: number
  /** Data folder for built-in datasets (see loadDataset). */
  readonly dataDir?: string
  /**
   * For a built-in part: the training rows the job leaves to its owners, given the encoded
   * training set and the part's seed (see splitBuiltinOwners' `ownerRows`); default all.
   */
  readonly ownerRows?: (train: Dataset, seed: number) => readonly number[] | undefined
}

/** The run options of a built-in part; every other option goes to the dataset's loader. */
const builtinPartSchema = z.object({
  part: z
    .string({ error: 'is required: part=<index>/<owners>, index from 0 (e.g. part=3/10)' })
    .regex(/^\d{1,5}\/\d{1,5}$/, 'must be <index>/<owners>, index from 0 (e.g. part=3/10)')
    .transform((text) => text.split('/').map(Number) as [number, number])
    .refine(([index, owners]) => owners >= 1 && index < owners, 'index must be in 0..owners-1'),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .default(42),
  partition: z
    .string()
    .default('iid')
    .refine((text) => {
      try {
        parsePartitionSpec(text)
        return true
      } catch {
        return false
      }
    }, 'must be iid, dirichlet:<alpha> or quantity:<beta> with a positive number'),
})

/**
 * One data owner's rows from `--data`: a path to its own CSV file (checked against the
 * job's `schema`), or a part of a built-in tabular dataset,
 * `builtin:<dataset>[:<loader options>,]part=<i>/<owners>[,seed=<n>][,partition=<p>]`
 * (e.g. `builtin:adult:part=3/10,seed=1` or `builtin:nsl-kdd:labels=binary,part=0/5`), which
 * is in-process client i's share of a simulation with that seed and partition (defaults
 * 42 and iid, as `msfl simulate`). Errors are MsflErrors naming the option, file, row or
 * column at fault.
 */
export async function readOwnerData(
  data: string,
  options: ReadOwnerDataOptions = {},
): Promise<OwnerRows> {
  if (!data.startsWith(BUILTIN_DATA_PREFIX)) {
    if (!options.schema)
      throw new MsflError('CONFIG_INVALID', `data: ${data}: a CSV file needs the job's schema`)
    return readOwnerCsv(data, options.schema, {
      ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
    })
  }
  const spec = parseSpecString(data.slice(BUILTIN_DATA_PREFIX.length), 'data')
  const { part, seed, partition, ...loaderOptions } = spec.options
  const parsed = builtinPartSchema.safeParse({ part, seed, partition })
  if (!parsed.success)
    throw new MsflError('CONFIG_INVALID', `data: ${data}: ${describeZodError(parsed.error)}`)
  const [index, owners] = parsed.data.part
  const split = await splitBuiltinOwners({
    dataset: { name: spec.name, options: loaderOptions },
    owners,
    seed: parsed.data.seed,
    partition: parsed.data.partition,
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    ...(options.ownerRows === undefined
      ? {}
      : { ownerRows: (train: Dataset) => options.ownerRows!(train, parsed.data.seed) }),
  })
  if (options.schema && !isDeepStrictEqual(toJson(options.schema), toJson(split.schema)))
    throw new MsflError(
      'CONFIG_INVALID',
      `data: ${data}: the job's schema is not the schema of built-in '${spec.name}'`,
    )
  return split.owners[index]!.rows
}

/** The schema as its JSON file holds it, so a parsed file and a built-in compare equal. */
function toJson(schema: TabularSchema): unknown {
  return JSON.parse(JSON.stringify(schema))
}
