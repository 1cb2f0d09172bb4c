import { z } from 'zod'
import { MsflError } from '../../core/errors/msflError.ts'
import { parseCommandArgs } from '../parseCommandArgs.ts'

/** A required path flag; a missing one says what it should name. */
export const pathFlag = (what: string) =>
  z.string({ error: `is required: the ${what}` }).min(1, `is required: the ${what}`)

/** The flags every participant command shares: its startup kit and the job. */
export const participantFlagsSchema = z.object({
  kit: pathFlag('startup kit directory (msfl pki issue --out)'),
  job: pathFlag('job file the kit was issued for'),
  /** The federation's current CRL, newer than the kit's snapshot. */
  crl: z.string().min(1).optional(),
  /** Where the service provider listens or is reached, overriding the kit's endpoint. */
  endpoint: z
    .string()
    .regex(/^[A-Za-z0-9.:[\]-]+:\d{1,5}$/, 'must be host:port')
    .optional(),
  json: z.boolean().default(false),
})

/** `--ledger rpc:<url>`: the JSON-RPC node through which a party reaches an MS-FL run's chain. */
export const ledgerFlag = z
  .string()
  .regex(/^rpc:\S+$/, 'must be rpc:<url>, a JSON-RPC node of the chain every party reaches')
  .optional()

/** Seconds as a flag: a positive number, at most a day. */
export const secondsFlag = z.coerce
  .number({ error: 'must be a number of seconds' })
  .positive('must be positive')
  .max(86_400, 'must be at most 86400 (a day)')

/** Flags that take no value; every other flag of a command takes one. */
const SWITCHES = new Set(['json', 'quiet'])

/**
 * A deployment command's argv read against its zod schema: one option per schema key
 * (switches for `json` and `quiet`, a value for the rest) plus `--help`. Returns undefined
 * after printing `help` when asked; otherwise the validated flags, or an error naming the
 * flag at fault.
 */
export function readCommandFlags<S extends z.ZodObject>(
  argv: readonly string[],
  schema: S,
  help: string,
): z.infer<S> | undefined {
  const options: Record<string, { type: 'string' } | { type: 'boolean'; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
  }
  for (const key of Object.keys(schema.shape))
    options[key] = SWITCHES.has(key) ? { type: 'boolean' } : { type: 'string' }
  const { values } = parseCommandArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options,
  })
  if (values['help']) {
    process.stdout.write(help)
    return undefined
  }
  return parseFlags(schema, values)
}

/** Parses one command's flag values, naming the flag at fault. */
export function parseFlags<S extends z.ZodType>(schema: S, values: unknown): z.infer<S> {
  const parsed = schema.safeParse(values)
  if (!parsed.success)
    throw new MsflError(
      'CONFIG_INVALID',
      parsed.error.issues
        .map((issue) => `--${issue.path.map(String).join('.')}: ${issue.message}`)
        .join('; '),
    )
  return parsed.data
}

/** `host:port` split, with the port checked. */
export function splitEndpoint(endpoint: string, flag: string): { host: string; port: number } {
  const at = endpoint.lastIndexOf(':')
  const host = endpoint.slice(0, at).replace(/^\[|\]$/g, '')
  const port = Number(endpoint.slice(at + 1))
  if (at <= 0 || !Number.isInteger(port) || port < 0 || port > 65_535)
    throw new MsflError('CONFIG_INVALID', `--${flag}: ${endpoint} is not host:port (port 0–65535)`)
  return { host, port }
}
