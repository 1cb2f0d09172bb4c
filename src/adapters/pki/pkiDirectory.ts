import { type KeyObject, X509Certificate as NodeX509Certificate, type webcrypto } from 'node:crypto'
import { join } from 'node:path'
import { describeZodError } from '../../core/errors/describeZodError.ts'
import { MsflError } from '../../core/errors/msflError.ts'
import { readCrl } from './federationCrl.ts'
import { readP256PrivateKey } from './p256Keys.ts'
import { assertOwnerOnly, readPkiFile, writeFileAtomically } from './pkiFiles.ts'
import { type PkiRegistry, pkiRegistrySchema } from './pkiRegistry.ts'
import { x509 } from './x509Library.ts'

/** The files of a PKI directory (`msfl pki init --dir`). Only `ca.key.pem` is secret. */
export const PKI_FILES = {
  caKey: 'ca.key.pem',
  caCertificate: 'ca.pem',
  crl: 'crl.pem',
  registry: 'registry.json',
} as const

/** A federation's PKI directory as read from disk, everything in it checked; never the CA key. */
export interface PkiDirectory {
  /** The directory. */
  readonly dir: string
  /** The federation id (the O of every certificate). */
  readonly federation: string
  /** The CA certificate (PEM). */
  readonly caPem: string
  /** SHA-256 fingerprint of the CA certificate, `AB:CD:…`. */
  readonly caFingerprint: string
  /** The current CRL (PEM), signed by the CA. */
  readonly crlPem: string
  /** Serials (uppercase hex) on the current CRL. */
  readonly revokedSerials: ReadonlySet<string>
  /** Every certificate the CA issued. */
  readonly registry: PkiRegistry
}

/** The CA's signing key, in the forms certificate/CRL signing and manifest signing need. */
export interface CaSigner {
  readonly certificate: x509.X509Certificate
  readonly signingKey: webcrypto.CryptoKey
  readonly keyObject: KeyObject
}

/**
 * Reads and checks a PKI directory: the CA certificate is a self-signed CA, the registry is
 * valid and belongs to that CA, the CRL is signed by it. The CA key is not read.
 *
 * @param dir - the directory `msfl pki init` created.
 * @throws MsflError `PKI` naming the file and the problem.
 */
export async function readPkiDirectory(dir: string): Promise<PkiDirectory> {
  const caPath = join(dir, PKI_FILES.caCertificate)
  const caPem = readPkiFile(caPath)
  const ca = readCaCertificate(caPem, caPath)
  const caFingerprint = new NodeX509Certificate(caPem).fingerprint256
  const registryPath = join(dir, PKI_FILES.registry)
  const registry = parseRegistry(readPkiFile(registryPath), registryPath)
  if (registry.caFingerprint !== caFingerprint)
    throw new MsflError(
      'PKI',
      `${registryPath}: caFingerprint ${registry.caFingerprint} is not the fingerprint of ${caPath}`,
    )
  if (ca.subjectName.getField('O')[0] !== registry.federation)
    throw new MsflError('PKI', `${registryPath}: federation is not the O of ${caPath}`)
  const crlPath = join(dir, PKI_FILES.crl)
  const crlPem = readPkiFile(crlPath)
  const { revokedSerials } = await readCrl(crlPem, ca, crlPath, new Date())
  return {
    dir,
    federation: registry.federation,
    caPem,
    caFingerprint,
    crlPem,
    revokedSerials,
    registry,
  }
}

/**
 * The CA key of a PKI directory, refused unless it is 0600, P-256 and the key of `ca.pem`.
 *
 * @param pki - the directory, as {@link readPkiDirectory} returned it.
 */
export async function readCaSigner(pki: PkiDirectory): Promise<CaSigner> {
  const keyPath = join(pki.dir, PKI_FILES.caKey)
  const pem = readPkiFile(keyPath)
  assertOwnerOnly(keyPath)
  const { keyObject, cryptoKey } = await readP256PrivateKey(pem, keyPath)
  if (!new NodeX509Certificate(pki.caPem).checkPrivateKey(keyObject))
    throw new MsflError('PKI', `${keyPath}: is not the key of ${PKI_FILES.caCertificate}`)
  return { certificate: new x509.X509Certificate(pki.caPem), signingKey: cryptoKey, keyObject }
}

/** Writes the registry (validated first, so msfl never writes one it would refuse to read). */
export function writeRegistry(dir: string, registry: PkiRegistry): void {
  const path = join(dir, PKI_FILES.registry)
  parseRegistry(JSON.stringify(registry), path)
  writeFileAtomically(path, `${JSON.stringify(registry, null, 2)}\n`)
}

/**
 * A PEM certificate that is a self-signed CA (basicConstraints CA, valid signature).
 *
 * @throws MsflError `PKI` naming `file`.
 */
export function readCaCertificate(pem: string, file: string): x509.X509Certificate {
  let node: NodeX509Certificate
  try {
    node = new NodeX509Certificate(pem)
  } catch (error) {
    throw new MsflError('PKI', `${file}: not a certificate (${(error as Error).message})`)
  }
  if (!node.ca) throw new MsflError('PKI', `${file}: not a CA certificate (basicConstraints)`)
  if (node.checkIssued(node) === false || !node.verify(node.publicKey))
    throw new MsflError('PKI', `${file}: not a self-signed CA certificate`)
  return new x509.X509Certificate(pem)
}

function parseRegistry(text: string, path: string): PkiRegistry {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new MsflError('PKI', `${path}: not valid JSON (${(error as Error).message})`)
  }
  const parsed = pkiRegistrySchema.safeParse(json)
  if (!parsed.success) throw new MsflError('PKI', `${path}: ${describeZodError(parsed.error)}`)
  return parsed.data
}
