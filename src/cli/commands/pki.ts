import { resolve } from 'node:path'
import { z } from 'zod'
import {
  assertFreshDirectory,
  createFederationCa,
  DEFAULT_SERVICE_PROVIDER_HOSTS,
  endpointSchema,
  exportCrl,
  hostSchema,
  isLive,
  issueParticipant,
  jobReferenceSchema,
  KIT_FILES,
  PARTICIPANT_ROLES,
  PKI_FILES,
  participantRoleSchema,
  REVOCATION_REASONS,
  type RegistryEntry,
  readPkiDirectory,
  revokeParticipant,
  safeIdSchema,
  validityDaysSchema,
  writeStartupKit,
} from '../../adapters/pki/index.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import { parseFlags as parseFlagValues } from '../deploy/deployFlags.ts'
import { parseCommandArgs } from '../parseCommandArgs.ts'

export const pkiHelp = `msfl pki <subcommand> --dir PKI [options]

The federation's certificate authority and the participants' startup kits. The CA key
(PKI/ca.key.pem) and every kit's key.pem are written 0600 and never printed.

  init    --federation ID [--days N]
          create the CA of one federation in PKI (default 3650 days)
  issue   --role ROLE --name NAME --endpoint HOST:PORT --job REF --out KITDIR
          [--host DNS-OR-IP ...] [--days N]
          issue a certificate and write its startup kit to KITDIR (default 365 days);
          --host (repeatable) names the service provider's endpoint hosts
          (default ${DEFAULT_SERVICE_PROVIDER_HOSTS.join(', ')})
  revoke  --name NAME [--reason REASON]
          revoke NAME's certificates and write a new signed CRL (PKI/crl.pem)
  crl     --out FILE
          copy the current CRL (checked against the CA) to FILE
  list    [--json]
          every issued certificate: serial, role, name, not after, status

  roles:   ${PARTICIPANT_ROLES.join(', ')}
  reasons: ${REVOCATION_REASONS.join(', ')}
`

const days = z
  .string()
  .regex(/^\d+$/, 'must be a whole number of days')
  .transform(Number)
  .pipe(validityDaysSchema)
const dir = z.string().min(1, 'required')

// One schema per subcommand: which flags it takes and what each must look like.
const subcommands = {
  init: z.strictObject({ dir, federation: safeIdSchema, days: days.optional() }),
  issue: z.strictObject({
    dir,
    role: participantRoleSchema,
    name: safeIdSchema,
    endpoint: endpointSchema,
    job: jobReferenceSchema,
    out: z.string().min(1, 'required'),
    host: z.array(hostSchema).optional(),
    days: days.optional(),
  }),
  revoke: z.strictObject({
    dir,
    name: safeIdSchema,
    reason: z
      .enum(REVOCATION_REASONS, {
        error: () => `unknown reason (valid: ${REVOCATION_REASONS.join(', ')})`,
      })
      .optional(),
  }),
  crl: z.strictObject({ dir, out: z.string().min(1, 'required') }),
  list: z.strictObject({ dir, json: z.boolean().optional() }),
} as const

type Subcommand = keyof typeof subcommands

export async function pki(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args: [...argv],
    strict: true,
    allowPositionals: true,
    options: {
      dir: { type: 'string' },
      federation: { type: 'string' },
      days: { type: 'string' },
      role: { type: 'string' },
      name: { type: 'string' },
      endpoint: { type: 'string' },
      job: { type: 'string' },
      out: { type: 'string' },
      host: { type: 'string', multiple: true },
      reason: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  const [sub, ...rest] = positionals
  if (values.help || sub === undefined) {
    process.stdout.write(pkiHelp)
    return values.help ? 0 : 2
  }
  if (!Object.hasOwn(subcommands, sub))
    throw new MsflError(
      'CONFIG_INVALID',
      `unknown subcommand ${JSON.stringify(sub)} (valid: ${Object.keys(subcommands).join(', ')})`,
    )
  if (rest.length > 0)
    throw new MsflError('CONFIG_INVALID', `${sub}: unexpected argument ${JSON.stringify(rest[0])}`)
  const { help: _help, ...given } = values
  const flags = parseFlags(sub as Subcommand, given)
  switch (sub as Subcommand) {
    case 'init':
      return init(flags as z.infer<(typeof subcommands)['init']>)
    case 'issue':
      return issue(flags as z.infer<(typeof subcommands)['issue']>)
    case 'revoke':
      return revoke(flags as z.infer<(typeof subcommands)['revoke']>)
    case 'crl':
      return crl(flags as z.infer<(typeof subcommands)['crl']>)
    case 'list':
      return list(flags as z.infer<(typeof subcommands)['list']>)
  }
}

/** The subcommand's flags, validated; every error names the flag. */
function parseFlags(sub: Subcommand, given: Record<string, unknown>): unknown {
  const schema = subcommands[sub]
  const allowed = Object.keys(schema.shape)
  const stray = Object.keys(given).filter((flag) => !allowed.includes(flag))
  if (stray.length > 0)
    throw new MsflError('CONFIG_INVALID', `--${stray[0]}: not an option of msfl pki ${sub}`)
  return parseFlagValues(schema, given)
}

async function init(flags: z.infer<(typeof subcommands)['init']>): Promise<number> {
  const ca = await createFederationCa({
    dir: flags.dir,
    federation: flags.federation,
    days: flags.days,
  })
  process.stdout.write(
    [
      `federation ${ca.federation}: CA created in ${resolve(flags.dir)}`,
      `  CA fingerprint (SHA-256): ${ca.caFingerprint}`,
      `  valid until: ${ca.notAfter.toISOString()}`,
      `  ${PKI_FILES.caKey} is the federation's root secret (mode 0600): keep it off shared hosts`,
      '',
    ].join('\n'),
  )
  return 0
}

async function issue(flags: z.infer<(typeof subcommands)['issue']>): Promise<number> {
  // Checked before issuing, so a kit directory in the way does not leave a live certificate
  // that no kit holds (the name would then be refused until revoked).
  if (flags.host !== undefined && flags.role !== 'service-provider')
    throw new MsflError('CONFIG_INVALID', '--host: only a service-provider certificate names hosts')
  assertFreshDirectory(flags.out, '--out')
  const issued = await issueParticipant({
    dir: flags.dir,
    role: flags.role,
    name: flags.name,
    hosts: flags.host,
    days: flags.days,
  })
  const manifest = await writeStartupKit({
    dir: flags.dir,
    issued,
    endpoint: flags.endpoint,
    job: flags.job,
    out: flags.out,
  })
  process.stdout.write(
    [
      `issued ${manifest.role} ${manifest.name} of federation ${manifest.federation}`,
      `  serial: ${manifest.serial}`,
      `  valid until: ${manifest.notAfter}`,
      `  startup kit: ${resolve(flags.out)} (${Object.values(KIT_FILES).join(', ')}; ${KIT_FILES.key} is 0600)`,
      `  endpoint: ${manifest.endpoint}  job: ${manifest.job}`,
      `  CA fingerprint (SHA-256): ${manifest.caFingerprint}`,
      '',
    ].join('\n'),
  )
  return 0
}

async function revoke(flags: z.infer<(typeof subcommands)['revoke']>): Promise<number> {
  const revoked = await revokeParticipant({
    dir: flags.dir,
    name: flags.name,
    reason: flags.reason,
  })
  const lines = revoked.map(
    (e) => `revoked ${e.role} ${e.name}: serial ${e.serial} (${e.reason ?? 'unspecified'})`,
  )
  lines.push(
    `  new CRL: ${resolve(flags.dir, PKI_FILES.crl)}; a service provider using it refuses every new connection with ${revoked.length === 1 ? 'this certificate' : 'these certificates'}`,
    '',
  )
  process.stdout.write(lines.join('\n'))
  return 0
}

async function crl(flags: z.infer<(typeof subcommands)['crl']>): Promise<number> {
  const serials = await exportCrl({ dir: flags.dir, out: flags.out })
  process.stdout.write(
    `wrote ${resolve(flags.out)}: CRL signed by the federation CA, ${serials.length} revoked serial${serials.length === 1 ? '' : 's'}\n`,
  )
  return 0
}

async function list(flags: z.infer<(typeof subcommands)['list']>): Promise<number> {
  const directory = await readPkiDirectory(flags.dir)
  const now = new Date()
  const status = (e: RegistryEntry) =>
    e.revoked ? `revoked (${e.reason ?? 'unspecified'})` : isLive(e, now) ? 'live' : 'expired'
  if (flags.json) {
    process.stdout.write(
      `${JSON.stringify({
        federation: directory.federation,
        caFingerprint: directory.caFingerprint,
        certificates: directory.registry.certificates.map((e) => ({ ...e, status: status(e) })),
      })}\n`,
    )
    return 0
  }
  const rows = directory.registry.certificates.map((e) => [
    e.serial,
    e.role,
    e.name,
    e.notAfter,
    status(e),
  ])
  const header = ['serial', 'role', 'name', 'not after', 'status']
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd()
  process.stdout.write(
    [
      `federation ${directory.federation}  CA fingerprint ${directory.caFingerprint}`,
      line(header),
      ...rows.map(line),
      '',
    ].join('\n'),
  )
  return 0
}
