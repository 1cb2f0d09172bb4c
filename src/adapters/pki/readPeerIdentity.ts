import { X509Certificate as NodeX509Certificate } from 'node:crypto'
import { MsflError } from '../../core/errors/msflError.ts'
import { identityUri, type ParticipantIdentity, safeIdSchema } from './participantIdentity.ts'
import { participantRoleSchema } from './participantRole.ts'
import { x509 } from './x509Library.ts'

/** A certificate as TLS and the kit files hand it over: PEM text, DER bytes or a parsed one. */
export type CertificateInput = string | Uint8Array | NodeX509Certificate

const SUBJECT_FIELDS = ['CN', 'OU', 'O'] as const

/**
 * The identity a peer is authorised as, read from its certificate: name from CN, role from
 * OU, federation from O, each required exactly once and required to agree with the one
 * `msfl://<federation>/<role>/<name>` SAN URI. This does not check the chain, validity or
 * revocation (mutual TLS or {@link openStartupKit} did that); it refuses a certificate whose
 * subject and SAN disagree, whose role is unknown or whose subject carries anything else.
 *
 * @param certificate - the peer's certificate: PEM, DER (e.g. `tls.PeerCertificate.raw`) or
 *   a `node:crypto` X509Certificate.
 * @throws MsflError `PKI` naming the field at fault.
 */
export function readPeerIdentity(certificate: CertificateInput): ParticipantIdentity {
  return readCertificateIdentity(certificate, 'peer certificate')
}

/**
 * {@link readPeerIdentity} with errors naming `label` (a kit file) instead of "peer
 * certificate".
 */
export function readCertificateIdentity(
  certificate: CertificateInput,
  label: string,
): ParticipantIdentity {
  const refusal = (problem: string) => new MsflError('PKI', `${label}: ${problem}`)
  const parsed = parseCertificate(certificate, refusal)
  const subject = parsed.subjectName.toJSON()
  const types = subject.flatMap((rdn) => Object.keys(rdn))
  const extra = types.filter((t) => !(SUBJECT_FIELDS as readonly string[]).includes(t))
  if (extra.length > 0)
    throw refusal(`subject has attributes other than CN, OU and O (${extra.join(', ')})`)
  const single = (field: (typeof SUBJECT_FIELDS)[number]): string => {
    const values = parsed.subjectName.getField(field)
    if (values.length !== 1)
      throw refusal(`subject must have exactly one ${field}, has ${values.length}`)
    return values[0]!
  }
  const name = safeIdSchema.safeParse(single('CN'))
  if (!name.success) throw refusal(`subject CN ${name.error.issues[0]!.message}`)
  const role = participantRoleSchema.safeParse(single('OU'))
  if (!role.success) throw refusal(`subject OU ${JSON.stringify(single('OU'))}: unknown role`)
  const federation = safeIdSchema.safeParse(single('O'))
  if (!federation.success) throw refusal(`subject O ${federation.error.issues[0]!.message}`)
  const identity = { federation: federation.data, role: role.data, name: name.data }

  const names = parsed.getExtension(x509.SubjectAlternativeNameExtension)?.names.items ?? []
  const uris = names.filter((n) => n.type === 'url' && n.value.startsWith('msfl:'))
  if (uris.length !== 1) throw refusal(`must have exactly one msfl:// SAN URI, has ${uris.length}`)
  if (uris[0]!.value !== identityUri(identity))
    throw refusal(
      `SAN URI ${uris[0]!.value} disagrees with the subject (CN, OU, O say ${identityUri(identity)})`,
    )
  return identity
}

function parseCertificate(
  certificate: CertificateInput,
  refusal: (problem: string) => MsflError,
): x509.X509Certificate {
  try {
    if (certificate instanceof NodeX509Certificate) return new x509.X509Certificate(certificate.raw)
    return new x509.X509Certificate(certificate)
  } catch (error) {
    throw refusal(`not an X.509 certificate (${(error as Error).message})`)
  }
}
