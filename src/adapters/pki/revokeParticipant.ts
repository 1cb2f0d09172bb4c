import { join } from 'node:path'
import { z } from 'zod'
import { describeZodError } from '../../core/errors/describeZodError.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import { signCrl } from './federationCrl.ts'
import { safeIdSchema } from './participantIdentity.ts'
import { PKI_FILES, readCaSigner, readPkiDirectory, writeRegistry } from './pkiDirectory.ts'
import { writeFileAtomically } from './pkiFiles.ts'
import { withPkiLock } from './pkiLock.ts'
import { REVOCATION_REASONS, type RegistryEntry, type RevocationReason } from './pkiRegistry.ts'

/** What {@link revokeParticipant} needs. */
export interface RevokeParticipantParameters {
  /** The PKI directory. */
  readonly dir: string
  /** The participant whose certificates are revoked (every unrevoked one with this name). */
  readonly name: string
  /** Why (an RFC 5280 reason code); default `unspecified`. */
  readonly reason?: RevocationReason
}

const revokeSchema = z.strictObject({
  name: safeIdSchema,
  reason: z.enum(REVOCATION_REASONS, {
    error: () => `unknown reason (valid: ${REVOCATION_REASONS.join(', ')})`,
  }),
})

/**
 * Revokes every certificate of a participant that is not revoked yet: marks them in the
 * registry and writes a new CRL signed by the CA. A service provider that loads `crl.pem`
 * for each new connection refuses the participant from then on.
 *
 * @returns the registry entries that were revoked.
 * @throws MsflError when the name has no unrevoked certificate.
 */
export function revokeParticipant(
  p: RevokeParticipantParameters,
): Promise<readonly RegistryEntry[]> {
  return withPkiLock(p.dir, () => revokeLocked(p))
}

async function revokeLocked(p: RevokeParticipantParameters): Promise<readonly RegistryEntry[]> {
  const input = revokeSchema.safeParse({ name: p.name, reason: p.reason ?? 'unspecified' })
  if (!input.success) throw new MsflError('CONFIG_INVALID', describeZodError(input.error))
  const pki = await readPkiDirectory(p.dir)
  const ca = await readCaSigner(pki)
  const now = new Date()
  const revoked: RegistryEntry[] = []
  const certificates = pki.registry.certificates.map((entry) => {
    if (entry.name !== input.data.name || entry.revoked) return entry
    const marked = {
      ...entry,
      revoked: true,
      revokedAt: now.toISOString(),
      reason: input.data.reason,
    }
    revoked.push(marked)
    return marked
  })
  if (revoked.length === 0)
    throw new MsflError('CONFIG_INVALID', `name: ${input.data.name} has no unrevoked certificate`)
  // The CRL first: if writing the registry then fails, the participant is already refused.
  writeFileAtomically(join(p.dir, PKI_FILES.crl), await signCrl(ca, certificates, now))
  writeRegistry(p.dir, { ...pki.registry, certificates })
  return revoked
}
