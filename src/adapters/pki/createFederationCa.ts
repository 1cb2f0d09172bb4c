import { X509Certificate as NodeX509Certificate } from 'node:crypto'
import { join } from 'node:path'
import { z } from 'zod'
import { describeZodError } from '../../core/errors/describeZodError.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import { backdated, DAY_MS, validityDaysSchema } from './certificateValidity.ts'
import { signCrl } from './federationCrl.ts'
import { generateP256KeyPair, privateKeyPem } from './p256Keys.ts'
import { safeIdSchema } from './participantIdentity.ts'
import { PKI_FILES, writeRegistry } from './pkiDirectory.ts'
import { assertFreshDirectory, makePrivateDirectory, writeFileAtomically } from './pkiFiles.ts'
import { randomSerial } from './randomSerial.ts'
import { P256_SHA256, x509 } from './x509Library.ts'

/** What {@link createFederationCa} needs. */
export interface FederationCaParameters {
  /** The PKI directory to create (made 0700; it must not exist or be empty). */
  readonly dir: string
  /** The federation id: the O of every certificate and the host of every SAN URI. */
  readonly federation: string
  /** How long the CA (and so every certificate it issues) is valid; default 3650. */
  readonly days?: number
}

const caParametersSchema = z.strictObject({ federation: safeIdSchema, days: validityDaysSchema })

/** The CA {@link createFederationCa} made. */
export interface FederationCa {
  /** The federation id. */
  readonly federation: string
  /** SHA-256 fingerprint of the CA certificate, `AB:CD:…`: what participants may pin. */
  readonly caFingerprint: string
  /** The end of the CA's validity. */
  readonly notAfter: Date
}

/**
 * Creates the certificate authority of one federation in `dir`: a P-256 key (`ca.key.pem`,
 * 0600), a self-signed CA certificate (`ca.pem`, basicConstraints CA, pathLength 0: it signs
 * participants only), an empty signed CRL (`crl.pem`) and an empty registry
 * (`registry.json`). The federation id must be a safe id (lowercase letters, digits, hyphens).
 *
 * @throws MsflError when `dir` already holds files (a CA is never overwritten).
 */
export async function createFederationCa(p: FederationCaParameters): Promise<FederationCa> {
  const input = caParametersSchema.safeParse({ federation: p.federation, days: p.days ?? 3650 })
  if (!input.success) throw new MsflError('CONFIG_INVALID', describeZodError(input.error))
  const { federation, days } = input.data
  assertFreshDirectory(p.dir, 'dir')
  const now = Date.now()
  const notBefore = backdated(now)
  const notAfter = new Date(now + days * DAY_MS)
  const keys = await generateP256KeyPair()
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: `CN=${federation} federation CA, O=${federation}`,
    notBefore,
    notAfter,
    signingAlgorithm: P256_SHA256,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  })
  const caPem = certificate.toString('pem')
  const caFingerprint = new NodeX509Certificate(caPem).fingerprint256
  const crlPem = await signCrl({ certificate, signingKey: keys.privateKey }, [], new Date(now))

  makePrivateDirectory(p.dir, 'dir')
  writeFileAtomically(join(p.dir, PKI_FILES.caKey), await privateKeyPem(keys.privateKey), {
    secret: true,
  })
  writeFileAtomically(join(p.dir, PKI_FILES.caCertificate), caPem)
  writeFileAtomically(join(p.dir, PKI_FILES.crl), crlPem)
  writeRegistry(p.dir, {
    format: 'msfl-pki-registry/1',
    federation,
    caFingerprint,
    certificates: [],
  })
  return { federation, caFingerprint, notAfter }
}
