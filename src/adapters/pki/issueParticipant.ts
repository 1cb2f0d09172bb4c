import { isIP } from 'node:net'
import { z } from 'zod'
import { describeZodError } from '../../core/errors/describeZodError.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import { backdated, DAY_MS, validityDaysSchema } from './certificateValidity.ts'
import { hostSchema } from './kitParameters.ts'
import { generateP256KeyPair, privateKeyPem } from './p256Keys.ts'
import {
  identitySubject,
  identityUri,
  type ParticipantIdentity,
  safeIdSchema,
} from './participantIdentity.ts'
import { type ParticipantRole, participantRoleSchema } from './participantRole.ts'
import { readCaSigner, readPkiDirectory, writeRegistry } from './pkiDirectory.ts'
import { withPkiLock } from './pkiLock.ts'
import { isLive } from './pkiRegistry.ts'
import { randomSerial } from './randomSerial.ts'
import { P256_SHA256, x509 } from './x509Library.ts'

/** The hosts a service provider's certificate names when none are given. */
export const DEFAULT_SERVICE_PROVIDER_HOSTS = ['localhost', '127.0.0.1'] as const

/** What {@link issueParticipant} needs. */
export interface IssueParticipantParameters {
  /** The PKI directory (`msfl pki init --dir`). */
  readonly dir: string
  /** The participant's role (the certificate's OU). */
  readonly role: ParticipantRole
  /** The participant's node id (the certificate's CN), unique among live certificates. */
  readonly name: string
  /**
   * DNS names and IP addresses of the service provider's endpoint (SAN); only for the
   * `service-provider` role; default {@link DEFAULT_SERVICE_PROVIDER_HOSTS}.
   */
  readonly hosts?: readonly string[]
  /**
   * Validity in days from now; default 365, or up to the CA's end if that comes sooner. A
   * value that outlives the CA is refused. Ignored when `validity` is given.
   */
  readonly days?: number
  /**
   * An explicit validity period instead of `days`, e.g. one already over, to check that
   * an expired certificate is refused. It must end before the CA does.
   */
  readonly validity?: { readonly notBefore: Date; readonly notAfter: Date }
}

/** A certificate {@link issueParticipant} issued, with its key: held in memory only. */
export interface IssuedParticipant {
  /** Who the certificate names. */
  readonly identity: ParticipantIdentity
  /** Serial number, uppercase hex. */
  readonly serial: string
  /** Start of validity. */
  readonly notBefore: Date
  /** End of validity. */
  readonly notAfter: Date
  /** The participant's certificate (PEM). */
  readonly certificatePem: string
  /** The participant's private key (PKCS#8 PEM): write it only with mode 0600. */
  readonly keyPem: string
}

const issueSchema = z.strictObject({
  role: participantRoleSchema,
  name: safeIdSchema,
  hosts: z.array(hostSchema).min(1, 'must name at least one host').optional(),
  days: validityDaysSchema,
})

/**
 * Issues a participant certificate from the federation's CA (ECDSA P-256, SHA-256): subject
 * `CN=<name>, OU=<role>, O=<federation>`, SAN URI `msfl://<federation>/<role>/<name>`, EKU
 * clientAuth (and serverAuth plus SAN DNS/IP hosts for the service provider). The key pair is
 * made here from the CSPRNG; the registry records the certificate (never the key).
 *
 * @throws MsflError for an unknown role, a name that is not a safe id, a name with a live
 *   certificate, hosts on a non-service-provider, or a validity outside the CA's.
 */
export function issueParticipant(p: IssueParticipantParameters): Promise<IssuedParticipant> {
  return withPkiLock(p.dir, () => issueLocked(p))
}

async function issueLocked(p: IssueParticipantParameters): Promise<IssuedParticipant> {
  const input = issueSchema.safeParse({
    role: p.role,
    name: p.name,
    hosts: p.hosts,
    days: p.days ?? 365,
  })
  if (!input.success) throw new MsflError('CONFIG_INVALID', describeZodError(input.error))
  const { role, name, days } = input.data
  const serviceProvider = role === 'service-provider'
  if (input.data.hosts !== undefined && !serviceProvider)
    throw new MsflError(
      'CONFIG_INVALID',
      'hosts: only the service-provider certificate names endpoint hosts',
    )
  const hosts = serviceProvider ? (input.data.hosts ?? DEFAULT_SERVICE_PROVIDER_HOSTS) : []

  const pki = await readPkiDirectory(p.dir)
  const now = Date.now()
  const holder = pki.registry.certificates.find((e) => e.name === name && isLive(e, new Date(now)))
  if (holder)
    throw new MsflError(
      'CONFIG_INVALID',
      `name: ${name} already holds a live certificate (serial ${holder.serial}, ${holder.role}); revoke it first`,
    )
  const ca = await readCaSigner(pki)
  const notBefore = p.validity?.notBefore ?? backdated(now)
  // Without an explicit validity the default year is cut to the CA's own end.
  const notAfter =
    p.validity?.notAfter ??
    (p.days === undefined
      ? new Date(Math.min(now + days * DAY_MS, ca.certificate.notAfter.getTime()))
      : new Date(now + days * DAY_MS))
  if (notAfter <= notBefore)
    throw new MsflError('CONFIG_INVALID', 'validity: notAfter must be after notBefore')
  if (notAfter > ca.certificate.notAfter)
    throw new MsflError(
      'CONFIG_INVALID',
      `${p.validity ? 'validity' : 'days'}: the certificate would outlive the CA (valid until ${ca.certificate.notAfter.toISOString()})`,
    )

  const identity: ParticipantIdentity = { federation: pki.federation, role, name }
  const keys = await generateP256KeyPair()
  const serial = randomSerial()
  const usages = serviceProvider
    ? [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]
    : [x509.ExtendedKeyUsage.clientAuth]
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serial,
    subject: identitySubject(identity),
    issuer: ca.certificate.subjectName,
    notBefore,
    notAfter,
    publicKey: keys.publicKey,
    signingKey: ca.signingKey,
    signingAlgorithm: P256_SHA256,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension(usages, false),
      new x509.SubjectAlternativeNameExtension([
        { type: 'url', value: identityUri(identity) },
        ...hosts.map((host) => ({ type: hostKind(host), value: host })),
      ]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca.certificate),
    ],
  })
  writeRegistry(p.dir, {
    ...pki.registry,
    certificates: [
      ...pki.registry.certificates,
      {
        serial,
        role,
        name,
        issuedAt: new Date(now).toISOString(),
        notBefore: notBefore.toISOString(),
        notAfter: notAfter.toISOString(),
        revoked: false,
      },
    ],
  })
  return {
    identity,
    serial,
    notBefore,
    notAfter,
    certificatePem: certificate.toString('pem'),
    keyPem: await privateKeyPem(keys.privateKey),
  }
}

function hostKind(host: string): 'ip' | 'dns' {
  return isIP(host) === 0 ? 'dns' : 'ip'
}
