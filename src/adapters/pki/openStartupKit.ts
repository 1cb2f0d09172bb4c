import {
  type KeyObject,
  X509Certificate as NodeX509Certificate,
  timingSafeEqual,
  verify,
} from 'node:crypto'
import { join, resolve } from 'node:path'
import { describeZodError } from '../../core/errors/describeZodError.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import { normalizeFingerprint } from './certificateFingerprint.ts'
import { readCrl, type VerifiedCrl } from './federationCrl.ts'
import { readP256PrivateKey } from './p256Keys.ts'
import type { ParticipantRole } from './participantRole.ts'
import { readCaCertificate } from './pkiDirectory.ts'
import { assertOwnerOnly, readPkiFile } from './pkiFiles.ts'
import { readCertificateIdentity } from './readPeerIdentity.ts'
import {
  KIT_FILES,
  type StartupKitManifest,
  startupKitManifestSchema,
} from './startupKitManifest.ts'
import { sha256 } from './writeStartupKit.ts'

/** Options of {@link openStartupKit}. */
export interface OpenStartupKitOptions {
  /**
   * The CA fingerprint the participant was told out of band (any case, colons optional):
   * a kit from any other CA is refused, even one whose signatures all verify.
   */
  readonly caFingerprint?: string
  /**
   * The federation's current CRL (PEM), e.g. the PKI's `crl.pem`: the kit's own is a snapshot
   * from when it was issued. It must be signed by the kit's CA; a serial on either list is
   * revoked, and `tls.crl` is the newer of the two.
   */
  readonly crl?: string
}

/** A verified startup kit: who this participant is and what TLS and signing need. */
export interface StartupKit {
  /** The participant's role (from its certificate). */
  readonly role: ParticipantRole
  /** The participant's node id (its certificate's CN). */
  readonly name: string
  /** The federation id. */
  readonly federation: string
  /** The service provider's `host:port`. */
  readonly endpoint: string
  /** The job reference. */
  readonly job: string
  /** SHA-256 fingerprint of the federation CA, `AB:CD:…`. */
  readonly caFingerprint: string
  /** The certificate's serial (uppercase hex). */
  readonly serial: string
  /** The end of the certificate's validity. */
  readonly notAfter: Date
  /** PEM texts for `tls.createSecureContext` / grpc-js credentials. */
  readonly tls: {
    readonly key: string
    readonly cert: string
    readonly ca: string
    readonly crl: string
  }
  /** The certificate's private key, for signing envelopes (ECDSA P-256 / SHA-256). */
  readonly signingKey: KeyObject
  /** The manifest, verified. */
  readonly manifest: StartupKitManifest
  /**
   * Every file the loader read, as absolute paths: a participant logs them, so a test (or
   * an auditor) can check that a process opened its own kit and no other party's.
   */
  readonly files: readonly string[]
}

/**
 * Opens a startup kit and verifies it before anything is used: the manifest's CA signature
 * (against the kit's `ca.pem`, and that CA against `caFingerprint` when pinned), the SHA-256
 * of every file, the key file's mode (0600), that the key is the certificate's, that the
 * certificate chains to the CA, names the manifest's identity, is within its validity period
 * and is not on the CA-signed CRL.
 *
 * @param dir - the kit directory {@link writeStartupKit} wrote.
 * @throws MsflError `PKI` naming the file and the problem.
 */
export async function openStartupKit(
  dir: string,
  options: OpenStartupKitOptions = {},
): Promise<StartupKit> {
  const path = (file: string) => join(dir, file)
  const caPem = readPkiFile(path(KIT_FILES.ca))
  const ca = readCaCertificate(caPem, path(KIT_FILES.ca))
  const caNode = new NodeX509Certificate(caPem)
  if (options.caFingerprint !== undefined) {
    const pinned = normalizeFingerprint(options.caFingerprint, 'caFingerprint')
    if (!sameText(pinned, caNode.fingerprint256))
      throw new MsflError(
        'PKI',
        `${path(KIT_FILES.ca)}: CA fingerprint ${caNode.fingerprint256} is not the pinned ${pinned}`,
      )
  }
  const manifest = readSignedManifest(dir, caNode)
  if (manifest.caFingerprint !== caNode.fingerprint256)
    throw new MsflError('PKI', `${path(KIT_FILES.ca)}: not the CA the manifest names`)
  const text = {} as Record<keyof StartupKitManifest['files'], string>
  for (const [file, digest] of Object.entries(manifest.files) as [
    keyof StartupKitManifest['files'],
    string,
  ][]) {
    text[file] = readPkiFile(path(file))
    if (!sameText(sha256(text[file]), digest))
      throw new MsflError('PKI', `${path(file)}: SHA-256 differs from the manifest (file changed)`)
  }
  assertOwnerOnly(path(KIT_FILES.key))

  const certPath = path(KIT_FILES.certificate)
  let certificate: NodeX509Certificate
  try {
    certificate = new NodeX509Certificate(text[KIT_FILES.certificate])
  } catch (error) {
    throw new MsflError('PKI', `${certPath}: not a certificate (${(error as Error).message})`)
  }
  if (!certificate.checkIssued(caNode) || !certificate.verify(caNode.publicKey))
    throw new MsflError('PKI', `${certPath}: not issued by ${KIT_FILES.ca}`)
  const now = new Date()
  const notBefore = new Date(certificate.validFrom)
  const notAfter = new Date(certificate.validTo)
  if (now < notBefore)
    throw new MsflError('PKI', `${certPath}: not valid before ${notBefore.toISOString()}`)
  if (now > notAfter)
    throw new MsflError('PKI', `${certPath}: expired on ${notAfter.toISOString()}`)
  const { keyObject } = await readP256PrivateKey(text[KIT_FILES.key], path(KIT_FILES.key))
  if (!certificate.checkPrivateKey(keyObject))
    throw new MsflError('PKI', `${path(KIT_FILES.key)}: is not the key of ${KIT_FILES.certificate}`)

  const identity = readCertificateIdentity(certificate, certPath)
  if (
    identity.name !== manifest.name ||
    identity.role !== manifest.role ||
    identity.federation !== manifest.federation ||
    certificate.serialNumber !== manifest.serial
  )
    throw new MsflError('PKI', `${certPath}: is not the certificate the manifest describes`)
  if (ca.subjectName.getField('O')[0] !== identity.federation)
    throw new MsflError('PKI', `${certPath}: federation ${identity.federation} is not the CA's`)
  const kitCrl = await readCrl(text[KIT_FILES.crl], ca, path(KIT_FILES.crl), now)
  const given = options.crl === undefined ? undefined : await readCrl(options.crl, ca, 'crl', now)
  // Both lists are signed by the CA and msfl never lifts a revocation, so a serial on either
  // is revoked; TLS gets the newer list (later thisUpdate; within one second, the longer).
  if (kitCrl.revokedSerials.has(certificate.serialNumber))
    throw new MsflError('PKI', `${certPath}: revoked (serial ${manifest.serial} is on crl.pem)`)
  if (given?.revokedSerials.has(certificate.serialNumber))
    throw new MsflError(
      'PKI',
      `${certPath}: revoked (serial ${manifest.serial} is on the given crl)`,
    )
  const crlPem = given !== undefined && newer(given, kitCrl) ? options.crl! : text[KIT_FILES.crl]

  return {
    role: identity.role,
    name: identity.name,
    federation: identity.federation,
    endpoint: manifest.endpoint,
    job: manifest.job,
    caFingerprint: caNode.fingerprint256,
    serial: manifest.serial,
    notAfter,
    tls: {
      key: text[KIT_FILES.key],
      cert: text[KIT_FILES.certificate],
      ca: caPem,
      crl: crlPem,
    },
    signingKey: keyObject,
    manifest,
    files: [KIT_FILES.ca, KIT_FILES.manifest, KIT_FILES.signature, ...Object.keys(manifest.files)]
      .filter((file, i, all) => all.indexOf(file) === i)
      .map((file) => resolve(path(file))),
  }
}

function readSignedManifest(dir: string, ca: NodeX509Certificate): StartupKitManifest {
  const manifestPath = join(dir, KIT_FILES.manifest)
  const bytes = Buffer.from(readPkiFile(manifestPath), 'utf8')
  const signature = Buffer.from(readPkiFile(join(dir, KIT_FILES.signature)).trim(), 'base64')
  if (!verify('sha256', bytes, ca.publicKey, signature))
    throw new MsflError(
      'PKI',
      `${manifestPath}: not signed by the kit's CA (${KIT_FILES.signature} does not verify against ${KIT_FILES.ca})`,
    )
  let json: unknown
  try {
    json = JSON.parse(bytes.toString('utf8'))
  } catch (error) {
    throw new MsflError('PKI', `${manifestPath}: not valid JSON (${(error as Error).message})`)
  }
  const parsed = startupKitManifestSchema.safeParse(json)
  if (!parsed.success)
    throw new MsflError('PKI', `${manifestPath}: ${describeZodError(parsed.error)}`)
  return parsed.data
}

function newer(a: VerifiedCrl, b: VerifiedCrl): boolean {
  const at = a.thisUpdate.getTime() - b.thisUpdate.getTime()
  return at > 0 || (at === 0 && a.revokedSerials.size >= b.revokedSerials.size)
}

/** Equal strings, compared in constant time (digests and fingerprints). */
function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}
