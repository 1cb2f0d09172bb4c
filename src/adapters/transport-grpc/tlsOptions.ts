import tls from 'node:tls'

/** A federation endpoint's TLS material, PEM encoded. */
export interface TlsMaterial {
  /** This endpoint's private key (ECDSA P-256); it also signs envelopes. Never logged. */
  readonly key: string | Buffer
  /** This endpoint's certificate, issued by the federation CA. */
  readonly cert: string | Buffer
  /** The federation CA certificate: the only issuer trusted. */
  readonly ca: string | Buffer
  /** The CA's certificate revocation list (the service provider checks it on every new connection). */
  readonly crl?: string | Buffer
}

/**
 * The service provider's TLS listener: TLS 1.3 only, a client certificate requested and
 * verified against the federation CA (not the system roots) and the CRL, HTTP/2 by ALPN.
 */
export function serverTlsOptions(material: TlsMaterial): tls.TlsOptions {
  return {
    key: material.key,
    cert: material.cert,
    ca: material.ca,
    ...(material.crl === undefined ? {} : { crl: material.crl }),
    requestCert: true,
    // Verified all the same: startFederationServer refuses an unauthorised socket itself,
    // so it can log why (Node would close it silently).
    rejectUnauthorized: false,
    minVersion: 'TLSv1.3',
    ALPNProtocols: ['h2'],
  }
}

/** A participant's TLS context: TLS 1.3 only, its certificate, trusting only the federation CA. */
export function clientSecureContext(material: TlsMaterial): tls.SecureContext {
  return tls.createSecureContext({
    key: material.key,
    cert: material.cert,
    ca: material.ca,
    minVersion: 'TLSv1.3',
  })
}
