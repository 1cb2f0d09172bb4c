import type { webcrypto } from 'node:crypto'
import { MsflError } from '../../core/errors/msflError.ts'
import type { RegistryEntry } from './pkiRegistry.ts'
import { P256_SHA256, x509 } from './x509Library.ts'

/**
 * Signs the federation's CRL: every revoked serial of the registry. `nextUpdate` is the
 * CA's own notAfter: the CRL is handed to the service provider as a file (no distribution
 * point a stale copy could be replayed from), and it is replaced by every revocation.
 */
export async function signCrl(
  ca: { readonly certificate: x509.X509Certificate; readonly signingKey: webcrypto.CryptoKey },
  entries: readonly RegistryEntry[],
  thisUpdate: Date,
): Promise<string> {
  const crl = await x509.X509CrlGenerator.create({
    issuer: ca.certificate.subjectName,
    thisUpdate,
    nextUpdate: ca.certificate.notAfter,
    signingAlgorithm: P256_SHA256,
    signingKey: ca.signingKey,
    extensions: [await x509.AuthorityKeyIdentifierExtension.create(ca.certificate)],
    entries: entries
      .filter((e) => e.revoked)
      .map((e) => ({
        serialNumber: e.serial,
        revocationDate: new Date(e.revokedAt ?? thisUpdate),
        reason: x509.X509CrlReason[e.reason ?? 'unspecified'],
      })),
  })
  // OpenSSL (and so node:tls) reads only the RFC 7468 label `X509 CRL`, not the `CRL`
  // label @peculiar/x509 writes.
  return `${x509.PemConverter.encode(crl.rawData, 'X509 CRL')}\n`
}

/** A CRL that verified: when it was signed and which serials (uppercase hex) it revokes. */
export interface VerifiedCrl {
  readonly thisUpdate: Date
  readonly revokedSerials: ReadonlySet<string>
}

/**
 * Reads a CRL after checking it is signed by the CA and current at `now`.
 *
 * @throws MsflError `PKI` naming `file` and the problem.
 */
export async function readCrl(
  crlPem: string,
  ca: x509.X509Certificate,
  file: string,
  now: Date,
): Promise<VerifiedCrl> {
  let crl: x509.X509Crl
  try {
    crl = new x509.X509Crl(crlPem)
  } catch (error) {
    throw new MsflError('PKI', `${file}: not a CRL (${(error as Error).message})`)
  }
  if (crl.issuer !== ca.subject || !(await crl.verify({ publicKey: ca.publicKey })))
    throw new MsflError('PKI', `${file}: not signed by the federation CA`)
  if (crl.thisUpdate.getTime() > now.getTime())
    throw new MsflError('PKI', `${file}: issued in the future (${crl.thisUpdate.toISOString()})`)
  if (crl.nextUpdate !== undefined && crl.nextUpdate.getTime() < now.getTime())
    throw new MsflError('PKI', `${file}: out of date since ${crl.nextUpdate.toISOString()}`)
  return {
    thisUpdate: crl.thisUpdate,
    revokedSerials: new Set(crl.entries.map((e) => e.serialNumber.toUpperCase())),
  }
}
