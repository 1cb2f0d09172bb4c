import { type KeyObject, X509Certificate } from 'node:crypto'
import { PARTICIPANT_ROLES, type ParticipantRole } from '../../core/deploy/participantRoles.ts'

/** The roles a federation certificate can bind (its subject's OU). */
export const FEDERATION_ROLES = PARTICIPANT_ROLES
/** One of the federation's roles. */
export type FederationRole = ParticipantRole

/** Who a certificate says its holder is, and the key its envelopes must verify under. */
export interface PeerIdentity {
  /** The node id: the certificate's CN. */
  readonly name: string
  /** The role: the certificate's OU. */
  readonly role: FederationRole
  /** The federation id: the certificate's O. */
  readonly federation: string
  /** The certificate's public key (ECDSA P-256). */
  readonly publicKey: KeyObject
  /** The certificate's serial number, uppercase hex without leading zeros (as CRLs are matched). */
  readonly serialNumber: string
  /** Every DNS name and IP address in the certificate's SAN, as `DNS:x` / `IP Address:x`. */
  readonly hostNames: readonly string[]
}

/** Names, roles and federation ids are restricted so the subject and SAN parse unambiguously. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/

/**
 * Reads the identity a federation certificate binds (COMMON format: subject
 * `CN=<name>, OU=<role>, O=<federation>`, SAN URI `msfl://<federation>/<role>/<name>`,
 * ECDSA P-256 key) from its DER or PEM bytes. The chain was already verified by TLS; this checks
 * that the subject and the SAN URI agree, so a peer's role and name come only from its
 * certificate. Throws an Error whose message says what does not match.
 */
export function readPeerIdentity(certificate: Uint8Array | string): PeerIdentity {
  const cert = new X509Certificate(certificate)
  const subject = subjectFields(cert.subject)
  const name = single(subject, 'CN')
  const role = single(subject, 'OU')
  const federation = single(subject, 'O')
  for (const [field, value] of [
    ['CN', name],
    ['OU', role],
    ['O', federation],
  ] as const)
    if (!NAME.test(value))
      throw new Error(`certificate subject ${field} ${JSON.stringify(value)} is not a valid name`)
  if (!(FEDERATION_ROLES as readonly string[]).includes(role))
    throw new Error(
      `certificate role (OU) ${JSON.stringify(role)} is not one of ${FEDERATION_ROLES.join(', ')}`,
    )
  const alternatives = (cert.subjectAltName ?? '').split(', ').filter(Boolean)
  const uris = alternatives.filter((a) => a.startsWith('URI:')).map((a) => a.slice(4))
  const expected = `msfl://${federation}/${role}/${name}`
  if (uris.length !== 1 || uris[0] !== expected)
    throw new Error(
      `certificate SAN URI ${uris.length ? uris.join(', ') : '(none)'} does not match its subject (expected ${expected})`,
    )
  const publicKey = cert.publicKey
  if (
    publicKey.asymmetricKeyType !== 'ec' ||
    publicKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1'
  )
    throw new Error('certificate key is not ECDSA P-256')
  return {
    name,
    role: role as FederationRole,
    federation,
    publicKey,
    serialNumber: normaliseSerial(cert.serialNumber),
    hostNames: alternatives.filter((a) => a.startsWith('DNS:') || a.startsWith('IP Address:')),
  }
}

/** Node prints a subject one `KEY=value` per line; repeated keys are kept in order. */
function subjectFields(subject: string): Map<string, string[]> {
  const fields = new Map<string, string[]>()
  for (const line of subject.split('\n')) {
    const at = line.indexOf('=')
    if (at <= 0) continue
    const key = line.slice(0, at)
    fields.set(key, [...(fields.get(key) ?? []), line.slice(at + 1)])
  }
  return fields
}

function single(fields: Map<string, string[]>, key: string): string {
  const values = fields.get(key) ?? []
  if (values.length !== 1)
    throw new Error(
      `certificate subject has ${values.length} ${key} attributes, expected exactly one`,
    )
  return values[0]!
}

/** Serial numbers compare as uppercase hex without leading zeros. */
export function normaliseSerial(hex: string): string {
  return hex.toUpperCase().replace(/^0+(?=.)/, '')
}
