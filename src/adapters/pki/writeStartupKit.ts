import { createHash, sign } from 'node:crypto'
import { join } from 'node:path'
import { z } from 'zod'
import { describeZodError } from '../../core/errors/describeZodError.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import type { IssuedParticipant } from './issueParticipant.ts'
import { endpointSchema, jobReferenceSchema } from './kitParameters.ts'
import { readCaSigner, readPkiDirectory } from './pkiDirectory.ts'
import { assertFreshDirectory, makePrivateDirectory, writeFileAtomically } from './pkiFiles.ts'
import { KIT_FILES, type StartupKitManifest } from './startupKitManifest.ts'

/** What {@link writeStartupKit} needs. */
export interface WriteStartupKitParameters {
  /** The PKI directory whose CA issued the participant. */
  readonly dir: string
  /** The certificate and key {@link issueParticipant} returned. */
  readonly issued: IssuedParticipant
  /** Where the participant reaches the service provider, `host:port`. */
  readonly endpoint: string
  /** The job the participant joins (config name, run id…). */
  readonly job: string
  /** The kit directory to create (0700; must not exist or be empty). */
  readonly out: string
}

const kitSchema = z.strictObject({ endpoint: endpointSchema, job: jobReferenceSchema })

/**
 * Writes a participant's startup kit: `cert.pem`, `key.pem` (0600), `ca.pem`, `crl.pem`,
 * `manifest.json` (federation, role, name, endpoint, job, CA fingerprint, SHA-256 of every
 * file, issue time) and `manifest.sig`, the CA's signature over `manifest.json`. The kit is
 * what the participant's organisation receives; {@link openStartupKit} verifies it.
 *
 * @returns the manifest as written.
 */
export async function writeStartupKit(p: WriteStartupKitParameters): Promise<StartupKitManifest> {
  const input = kitSchema.safeParse({ endpoint: p.endpoint, job: p.job })
  if (!input.success) throw new MsflError('CONFIG_INVALID', describeZodError(input.error))
  assertFreshDirectory(p.out, 'out')
  const pki = await readPkiDirectory(p.dir)
  const ca = await readCaSigner(pki)
  const files = {
    [KIT_FILES.certificate]: p.issued.certificatePem,
    [KIT_FILES.key]: p.issued.keyPem,
    [KIT_FILES.ca]: pki.caPem,
    [KIT_FILES.crl]: pki.crlPem,
  }
  const manifest: StartupKitManifest = {
    format: 'msfl-startup-kit/1',
    federation: p.issued.identity.federation,
    role: p.issued.identity.role,
    name: p.issued.identity.name,
    endpoint: input.data.endpoint,
    job: input.data.job,
    caFingerprint: pki.caFingerprint,
    serial: p.issued.serial,
    notAfter: p.issued.notAfter.toISOString(),
    issuedAt: new Date().toISOString(),
    files: {
      [KIT_FILES.certificate]: sha256(files[KIT_FILES.certificate]),
      [KIT_FILES.key]: sha256(files[KIT_FILES.key]),
      [KIT_FILES.ca]: sha256(files[KIT_FILES.ca]),
      [KIT_FILES.crl]: sha256(files[KIT_FILES.crl]),
    },
  }
  const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`)
  const signature = sign('sha256', manifestBytes, ca.keyObject).toString('base64')

  makePrivateDirectory(p.out, 'out')
  for (const [name, content] of Object.entries(files))
    writeFileAtomically(join(p.out, name), content, { secret: name === KIT_FILES.key })
  writeFileAtomically(join(p.out, KIT_FILES.manifest), manifestBytes)
  writeFileAtomically(join(p.out, KIT_FILES.signature), `${signature}\n`)
  return manifest
}

/** SHA-256 of a file's content as lowercase hex, as the manifest lists it. */
export function sha256(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex')
}
