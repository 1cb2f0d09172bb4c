import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { z } from 'zod'
import { splitBuiltinOwners, TABULAR_OWNER_DATASETS } from '../../adapters/data/index.ts'
import { formatOwnerCsv } from '../../core/data/formatOwnerCsv.ts'
import { parseDatasetSpec } from '../../core/data/parseDatasetSpec.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import { partitionSchema } from '../../runtime/config/simulationConfig.ts'

export const datasetsSplitHelp = `msfl datasets split --dataset <name[:options]> --owners <n> --out <dir>
                    [--seed <n>] [--partition <p>] [--json]

Writes each data owner's own CSV file: the partition the in-process simulation
(msfl simulate --dataset <d> --clients <n> --seed <s> --partition <p>) gives
client i becomes <dir>/owner-<i>.csv (i from 0; in-process id do-<i>), in raw
CSV form with a header. Also writes <dir>/schema.json (the job's declared
schema every owner's file is checked against) and <dir>/split.json (which
file holds which client's rows). Tabular datasets: ${TABULAR_OWNER_DATASETS.join(', ')}.
Runs with --defence or --verify hold back validation rows first, so their
owners' rows differ; this split is the one of runs without them.

  --dataset    dataset and loader options, e.g. adult or nsl-kdd:labels=binary
  --owners     number of data owners (as --clients)
  --out        directory to write (created; existing owner files are not overwritten)
  --seed       run seed (default 42, as msfl simulate)
  --partition  iid | dirichlet:<alpha> | quantity:<beta> (default iid)
  --json       print the manifest as JSON
`

const flagsSchema = z.object({
  dataset: z.string().min(1).max(200),
  owners: z.coerce.number().int().min(1).max(10_000),
  out: z.string().min(1),
  seed: z.coerce
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .default(42),
  partition: partitionSchema.default('iid'),
})

/** The manifest of a split: the run it reproduces and each owner's file. */
interface SplitManifest {
  readonly dataset: string
  readonly seed: number
  readonly partition: string
  readonly schema: string
  readonly owners: readonly {
    readonly file: string
    readonly client: string
    readonly rows: number
    readonly labelCounts: readonly number[]
  }[]
}

/** `msfl datasets split`: every owner's partition of a built-in tabular dataset as its own CSV. */
export async function datasetsSplit(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      dataset: { type: 'string' },
      owners: { type: 'string' },
      out: { type: 'string' },
      seed: { type: 'string' },
      partition: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) {
    process.stdout.write(datasetsSplitHelp)
    return 0
  }
  const parsed = flagsSchema.safeParse(values)
  if (!parsed.success)
    throw new MsflError(
      'CONFIG_INVALID',
      `datasets split: ${parsed.error.issues.map((issue) => `--${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
    )
  const flags = parsed.data
  const files = Array.from({ length: flags.owners }, (_, i) => `owner-${i}.csv`)
  for (const file of [...files, 'schema.json', 'split.json'])
    if (existsSync(join(flags.out, file)))
      throw new MsflError(
        'CONFIG_INVALID',
        `datasets split: ${join(flags.out, file)} exists; choose an empty --out directory`,
      )
  const split = await splitBuiltinOwners({
    dataset: parseDatasetSpec(flags.dataset),
    owners: flags.owners,
    seed: flags.seed,
    partition: flags.partition,
  })
  mkdirSync(flags.out, { recursive: true })
  const manifest: SplitManifest = {
    dataset: flags.dataset,
    seed: flags.seed,
    partition: flags.partition,
    schema: 'schema.json',
    owners: split.owners.map((owner, i) => ({
      file: files[i]!,
      client: owner.id,
      rows: owner.rows.records.length,
      labelCounts: owner.labelCounts,
    })),
  }
  writeFileSync(join(flags.out, 'schema.json'), `${JSON.stringify(split.schema, null, 2)}\n`)
  split.owners.forEach((owner, i) => {
    writeFileSync(join(flags.out, files[i]!), formatOwnerCsv(owner.rows))
  })
  writeFileSync(join(flags.out, 'split.json'), `${JSON.stringify(manifest, null, 2)}\n`)
  if (values.json) process.stdout.write(`${JSON.stringify(manifest)}\n`)
  else
    process.stdout.write(
      `${manifest.owners.map((o) => `${join(flags.out, o.file)}  ${o.client}  ${o.rows} rows`).join('\n')}\n` +
        `${join(flags.out, 'schema.json')}  the job's schema\n`,
    )
  return 0
}
