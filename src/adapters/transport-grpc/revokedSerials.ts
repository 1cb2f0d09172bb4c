import 'reflect-metadata'
import { X509Crl } from '@peculiar/x509'
import { normaliseSerial } from './peerIdentity.ts'

/**
 * The serial numbers a CRL revokes (normalised as peerIdentity does), so connected peers can
 * be checked when the CRL changes; new connections are checked by TLS itself. No CRL: none.
 * The CRL's signature is checked by TLS when it is installed, so this only lists entries.
 */
export function revokedSerials(crl: string | Buffer | undefined): ReadonlySet<string> {
  if (crl === undefined) return new Set()
  const parsed = new X509Crl(typeof crl === 'string' ? crl : crl.toString('utf8'))
  return new Set(parsed.entries.map((entry) => normaliseSerial(entry.serialNumber)))
}
