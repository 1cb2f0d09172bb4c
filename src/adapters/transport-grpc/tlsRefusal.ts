import type tls from 'node:tls'

/**
 * Why the TLS listener refused a connection, in words for the refusal log.
 */

/** The peer's address, for refusals before its certificate is known. */
export function remote(socket: tls.TLSSocket): string {
  return `${socket.remoteAddress ?? 'unknown'}:${socket.remotePort ?? 0}`
}

/** OpenSSL's reason ('certificate revoked', 'unsupported protocol'…) without its source location. */
export function tlsReason(error: Error & { reason?: unknown }): string {
  return typeof error.reason === 'string' ? error.reason : error.message
}

const CERTIFICATE_ERRORS: Record<string, string> = {
  CERT_HAS_EXPIRED: 'certificate has expired',
  CERT_NOT_YET_VALID: 'certificate is not yet valid',
  CERT_REVOKED: 'certificate revoked (CRL)',
  CERT_SIGNATURE_FAILURE: 'certificate signature does not verify under the federation CA',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'certificate not issued by the federation CA',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'certificate not issued by the federation CA',
  UNABLE_TO_GET_CRL: 'no CRL for the certificate issuer',
}

/** A readable reason for Node's certificate verification error code. */
export function certificateRefusal(code: Error | string | null | undefined): string {
  const key = typeof code === 'string' ? code : (code?.message ?? 'unknown')
  return CERTIFICATE_ERRORS[key] ? `${CERTIFICATE_ERRORS[key]} (${key})` : key
}
