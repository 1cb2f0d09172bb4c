import { z } from 'zod'
import type { ParticipantRole } from './participantRole.ts'

/**
 * A federation id or participant name: lowercase letters, digits and inner hyphens, at most
 * 63 characters (one DNS label). Lowercase only, so `Hospital-A` and `hospital-a` can never
 * be two identities; no separators, so a name cannot change the meaning of a distinguished
 * name (`,` `=` `+`) or of the SAN URI path (`/`).
 */
export const safeIdSchema = z
  .string()
  .regex(
    /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/,
    'must be 1–63 lowercase letters, digits or inner hyphens (like hospital-a)',
  )

/** Who a certificate says its holder is: the federation, the role and the node id (CN). */
export interface ParticipantIdentity {
  readonly federation: string
  readonly role: ParticipantRole
  readonly name: string
}

/** The SAN URI that binds an identity into a certificate: `msfl://<federation>/<role>/<name>`. */
export function identityUri(identity: ParticipantIdentity): string {
  return `msfl://${identity.federation}/${identity.role}/${identity.name}`
}

/** The certificate subject of an identity: `CN=<name>, OU=<role>, O=<federation>`. */
export function identitySubject(identity: ParticipantIdentity): string {
  return `CN=${identity.name}, OU=${identity.role}, O=${identity.federation}`
}
