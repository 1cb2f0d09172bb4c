import 'reflect-metadata'
import { webcrypto } from 'node:crypto'
import * as x509 from '@peculiar/x509'

/**
 * A small federation PKI for transport tests, following the certificate format every msfl
 * helper shares (ECDSA P-256 / SHA-256; subject CN=<name>, OU=<role>, O=<federation>;
 * SAN URI msfl://<federation>/<role>/<name>; the service provider's certificate also names
 * its endpoint hosts). The project's real PKI replaces this fixture once it lands.
 */

x509.cryptoProvider.set(webcrypto as unknown as Crypto)

const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' }
const DAY = 86_400_000

/** A participant's certificate and key, PEM encoded. */
export interface TestIdentity {
  readonly name: string
  readonly role: string
  readonly cert: string
  readonly key: string
  readonly serialNumber: string
}

/** A CA that issues participant certificates and CRLs. */
export interface TestCa {
  readonly federation: string
  readonly cert: string
  issue(
    role: string,
    name: string,
    options?: {
      hosts?: readonly string[]
      expired?: boolean
      /** Overrides the SAN URI (to build a certificate whose SAN disagrees with its subject). */
      uri?: string
    },
  ): Promise<TestIdentity>
  crl(revoked: readonly TestIdentity[]): Promise<string>
}

let serial = 0x1000

/** A fresh self-signed P-256 CA for `federation`. */
export async function createTestCa(federation: string): Promise<TestCa> {
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair
  const now = Date.now()
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: (serial++).toString(16),
    name: `CN=${federation} CA, O=${federation}`,
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 365 * DAY),
    keys,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  })
  return {
    federation,
    cert: caCert.toString('pem'),
    async issue(role, name, options = {}) {
      const leafKeys = (await webcrypto.subtle.generateKey(algorithm, true, [
        'sign',
        'verify',
      ])) as webcrypto.CryptoKeyPair
      const serialNumber = (serial++).toString(16)
      const hosts = options.hosts ?? []
      const server = role === 'service-provider'
      const cert = await x509.X509CertificateGenerator.create({
        serialNumber,
        subject: `CN=${name}, OU=${role}, O=${federation}`,
        issuer: caCert.subject,
        notBefore: new Date(now - (options.expired ? 10 : 1) * DAY),
        notAfter: new Date(now + (options.expired ? -DAY : 30 * DAY)),
        publicKey: leafKeys.publicKey,
        signingKey: keys.privateKey,
        signingAlgorithm: algorithm,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
          new x509.ExtendedKeyUsageExtension(
            server
              ? [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]
              : [x509.ExtendedKeyUsage.clientAuth],
          ),
          new x509.SubjectAlternativeNameExtension([
            { type: 'url', value: options.uri ?? `msfl://${federation}/${role}/${name}` },
            ...hosts.map((host) => ({
              type: /^[\d.]+$|:/.test(host) ? ('ip' as const) : ('dns' as const),
              value: host,
            })),
          ]),
          await x509.AuthorityKeyIdentifierExtension.create(caCert),
        ],
      })
      const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', leafKeys.privateKey)
      return {
        name,
        role,
        cert: cert.toString('pem'),
        key: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'),
        serialNumber,
      }
    },
    async crl(revoked) {
      const crl = await x509.X509CrlGenerator.create({
        issuer: caCert.subject,
        thisUpdate: new Date(now - DAY),
        nextUpdate: new Date(now + 30 * DAY),
        entries: revoked.map((r) => ({
          serialNumber: r.serialNumber,
          revocationDate: new Date(now - DAY),
        })),
        signingKey: keys.privateKey,
        signingAlgorithm: algorithm,
      })
      // OpenSSL reads CRLs under the 'X509 CRL' PEM label only.
      return x509.PemConverter.encode(crl.rawData, 'X509 CRL')
    },
  }
}
