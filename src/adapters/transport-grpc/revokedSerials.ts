import { listRevokedSerials } from '../pki/index.ts'

/**
 * The serial numbers a CRL revokes (normalised as peerIdentity does), so connected peers can
 * be checked when the CRL changes; new connections are checked by TLS itself. No CRL: none.
 * The CRL's signature is checked by TLS when it is installed, so this only lists entries.
 */
export function revokedSerials(crl: string | Buffer | undefined): ReadonlySet<string> {
  if (crl === undefined) return new Set()
  return listRevokedSerials(typeof crl === 'string' ? crl : crl.toString('utf8'))
}
