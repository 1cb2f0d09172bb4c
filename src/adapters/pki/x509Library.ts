// @peculiar/x509 resolves its algorithm providers through tsyringe, which needs the Reflect
// metadata polyfill installed before the library module is evaluated: keep this import first.
import 'reflect-metadata'
import { webcrypto } from 'node:crypto'
import * as x509 from '@peculiar/x509'

// Node's own WebCrypto, so certificates are made and checked by OpenSSL, not a JS polyfill.
x509.cryptoProvider.set(webcrypto as unknown as Crypto)

/** The ECDSA P-256 / SHA-256 algorithm every msfl certificate, CRL and manifest uses. */
export const P256_SHA256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const

export { x509 }
