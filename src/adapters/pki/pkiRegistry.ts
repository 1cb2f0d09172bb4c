import { z } from 'zod'
import { fingerprintSchema } from './certificateFingerprint.ts'
import { timestampSchema } from './certificateValidity.ts'
import { safeIdSchema } from './participantIdentity.ts'
import { participantRoleSchema } from './participantRole.ts'

/** Why a certificate was revoked: the RFC 5280 reason codes an msfl operator can give. */
export const REVOCATION_REASONS = [
  'unspecified',
  'keyCompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'privilegeWithdrawn',
] as const

/** One of {@link REVOCATION_REASONS}. */
export type RevocationReason = (typeof REVOCATION_REASONS)[number]

const timestamp = timestampSchema

/** One certificate the CA issued, as the registry records it (no key material). */
export const registryEntrySchema = z.strictObject({
  serial: z.string().regex(/^[0-9A-F]{2,40}$/, 'must be uppercase hex'),
  role: participantRoleSchema,
  name: safeIdSchema,
  issuedAt: timestamp,
  notBefore: timestamp,
  notAfter: timestamp,
  revoked: z.boolean(),
  revokedAt: timestamp.optional(),
  reason: z.enum(REVOCATION_REASONS).optional(),
})

/** One certificate the CA issued, as the registry records it (no key material). */
export type RegistryEntry = z.infer<typeof registryEntrySchema>

/** `registry.json` of a PKI directory: every certificate the federation's CA issued. */
export const pkiRegistrySchema = z.strictObject({
  format: z.literal('msfl-pki-registry/1'),
  federation: safeIdSchema,
  caFingerprint: fingerprintSchema,
  certificates: z.array(registryEntrySchema),
})

/** `registry.json` of a PKI directory: every certificate the federation's CA issued. */
export type PkiRegistry = z.infer<typeof pkiRegistrySchema>

/** An entry that still authorises its holder: not revoked and not past its notAfter. */
export function isLive(entry: RegistryEntry, now: Date): boolean {
  return !entry.revoked && Date.parse(entry.notAfter) > now.getTime()
}
