import { x509 } from './x509Library.ts'

/**
 * The serial numbers a CRL lists (uppercase hex, leading zeros dropped), without checking
 * its signature: for a holder that installed the CRL where TLS checks it (the service
 * provider's listener) and must also drop peers that are already connected. Anything
 * else reads a CRL with readCrl, which verifies it.
 */
export function listRevokedSerials(crlPem: string): ReadonlySet<string> {
  const crl = new x509.X509Crl(crlPem)
  return new Set(
    crl.entries.map((entry) => entry.serialNumber.toUpperCase().replace(/^0+(?=.)/, '')),
  )
}
