import { z } from 'zod'
import { fingerprintSchema } from './certificateFingerprint.ts'
import { timestampSchema } from './certificateValidity.ts'
import { endpointSchema, jobReferenceSchema } from './kitParameters.ts'
import { safeIdSchema } from './participantIdentity.ts'
import { participantRoleSchema } from './participantRole.ts'

/** The files of a startup kit. Only `key.pem` is secret. */
export const KIT_FILES = {
  certificate: 'cert.pem',
  key: 'key.pem',
  ca: 'ca.pem',
  crl: 'crl.pem',
  manifest: 'manifest.json',
  signature: 'manifest.sig',
} as const

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 digest (64 lowercase hex)')

/**
 * `manifest.json` of a startup kit. `manifest.sig` holds the CA's ECDSA P-256/SHA-256
 * signature (DER, base64) over the exact bytes of `manifest.json`, so the participant checks
 * the kit came from its federation's CA and that no file was swapped.
 */
export const startupKitManifestSchema = z.strictObject({
  format: z.literal('msfl-startup-kit/1'),
  federation: safeIdSchema,
  role: participantRoleSchema,
  name: safeIdSchema,
  endpoint: endpointSchema,
  job: jobReferenceSchema,
  caFingerprint: fingerprintSchema,
  serial: z.string().regex(/^[0-9A-F]{2,40}$/, 'must be uppercase hex'),
  notAfter: timestampSchema,
  issuedAt: timestampSchema,
  files: z.strictObject({
    [KIT_FILES.certificate]: sha256Hex,
    [KIT_FILES.key]: sha256Hex,
    [KIT_FILES.ca]: sha256Hex,
    [KIT_FILES.crl]: sha256Hex,
  }),
})

/** `manifest.json` of a startup kit (see {@link startupKitManifestSchema}). */
export type StartupKitManifest = z.infer<typeof startupKitManifestSchema>
