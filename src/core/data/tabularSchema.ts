import { z } from 'zod'
import { describeZodError } from '../errors/describeZodError.ts'
import { MsflError } from '../errors/msflError.ts'
import { type ColumnSpec, createTabularEncoder } from './tabularEncoder.ts'

/** The `format` every tabular schema file carries, so a future layout can be told apart. */
export const TABULAR_SCHEMA_FORMAT = 'msfl-tabular-schema/1'

/**
 * One declared input column. A categorical column also says what happens to a value it
 * does not list: `unlisted` (the default) encodes it in the "(unlisted)" bucket, as the
 * in-process encoder does; `refuse` makes it a data error, for jobs whose categories are
 * a closed code list.
 */
export type SchemaColumn =
  | Extract<ColumnSpec, { kind: 'numeric' }>
  | (Extract<ColumnSpec, { kind: 'categorical' }> & { readonly unseen?: 'unlisted' | 'refuse' })

/**
 * The label column: its header name, the class names in class-index order, and other raw
 * values that mean one of the classes (e.g. NSL-KDD attack types → their category, or
 * Adult's test-file `>50K.` → `>50K`).
 */
export interface SchemaLabel {
  readonly name: string
  readonly classes: readonly string[]
  readonly aliases?: Readonly<Record<string, string>>
}

/**
 * A job's public declaration of the tabular data every owner holds: what each owner's CSV
 * must contain, and how a row becomes features, fixed before any row is seen. It is what
 * the job publishes and each owner checks its own file against (adapters/data readOwnerCsv).
 */
export interface TabularSchema {
  readonly format: typeof TABULAR_SCHEMA_FORMAT
  /** The dataset's name, given to the encoded rows. */
  readonly name: string
  /** Input columns in feature order; a file may hold them in any order (matched by header). */
  readonly columns: readonly SchemaColumn[]
  readonly label: SchemaLabel
  /** Columns the schema does not name: refused (the default) or ignored. */
  readonly extraColumns?: 'refuse' | 'ignore'
  /** Fewest data rows an owner's file may hold (default 1). */
  readonly minRows?: number
}

// Fields are trimmed when read, so a name or value with outer whitespace could never match.
const trimmedText = z
  .string()
  .min(1, 'must not be empty')
  .max(1000)
  .refine((text) => text === text.trim(), 'must not start or end with whitespace')

const columnSchema = z.discriminatedUnion('kind', [
  z
    .object({
      name: trimmedText,
      kind: z.literal('numeric'),
      range: z.tuple([z.number(), z.number()]),
      log1p: z.boolean().optional(),
    })
    .strict(),
  z
    .object({
      name: trimmedText,
      kind: z.literal('categorical'),
      categories: z.array(trimmedText).max(100_000),
      unseen: z.enum(['unlisted', 'refuse']).optional(),
    })
    .strict(),
])

const tabularSchemaSchema = z
  .object({
    format: z.literal(TABULAR_SCHEMA_FORMAT),
    name: trimmedText,
    columns: z.array(columnSchema).min(1).max(100_000),
    label: z
      .object({
        name: trimmedText,
        classes: z.array(trimmedText).min(2).max(100_000),
        aliases: z.record(trimmedText, trimmedText).optional(),
      })
      .strict(),
    extraColumns: z.enum(['refuse', 'ignore']).optional(),
    minRows: z.number().int().min(1).optional(),
  })
  .strict()

/**
 * Validates a parsed schema file (JSON) and its internal consistency: unique column names,
 * a label that is not also an input, unique classes, aliases that name a class, and numeric
 * ranges and category lists the encoder accepts. Errors name `source` and the field.
 */
export function parseTabularSchema(value: unknown, source: string): TabularSchema {
  const parsed = tabularSchemaSchema.safeParse(value)
  if (!parsed.success)
    throw new MsflError('CONFIG_INVALID', `${source}: ${describeZodError(parsed.error)}`)
  const schema: TabularSchema = parsed.data
  const problem = (message: string) => new MsflError('CONFIG_INVALID', `${source}: ${message}`)
  const names = new Set<string>()
  for (const column of schema.columns) {
    if (names.has(column.name)) throw problem(`column '${column.name}' is declared twice`)
    names.add(column.name)
  }
  if (names.has(schema.label.name))
    throw problem(`label '${schema.label.name}' is also declared as an input column`)
  if (new Set(schema.label.classes).size !== schema.label.classes.length)
    throw problem(`label.classes lists a class twice`)
  for (const [raw, target] of Object.entries(schema.label.aliases ?? {})) {
    if (schema.label.classes.includes(raw))
      throw problem(`label.aliases.${raw}: '${raw}' is already a class name`)
    if (!schema.label.classes.includes(target))
      throw problem(`label.aliases.${raw}: '${target}' is not one of label.classes`)
  }
  try {
    createTabularEncoder(schema.columns)
  } catch (error) {
    if (error instanceof MsflError) throw problem(error.message)
    throw error
  }
  return schema
}

/** Every raw label value the schema accepts (class names and aliases) → its class index. */
export function labelClassIndex(label: SchemaLabel): ReadonlyMap<string, number> {
  const index = new Map(label.classes.map((name, i) => [name, i]))
  for (const [raw, target] of Object.entries(label.aliases ?? {}))
    index.set(raw, label.classes.indexOf(target))
  return index
}
