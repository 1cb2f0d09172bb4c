import { createPrivateKey, type KeyObject, webcrypto } from 'node:crypto'
import { MsflError } from '../../core/errors/msflError.ts'
import { P256_SHA256 } from './x509Library.ts'

const ALGORITHM = { name: P256_SHA256.name, namedCurve: P256_SHA256.namedCurve }

/** A fresh P-256 key pair from the operating system's CSPRNG (extractable, to be written out). */
export function generateP256KeyPair(): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])
}

/** The private key as unencrypted PKCS#8 PEM, for a file written 0600. */
export async function privateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key))
  return `-----BEGIN PRIVATE KEY-----\n${der
    .toString('base64')
    .match(/.{1,64}/g)!
    .join('\n')}\n-----END PRIVATE KEY-----\n`
}

/**
 * A PEM private key as both forms msfl needs: a KeyObject (node:crypto signing, TLS) and a
 * non-extractable WebCrypto key (certificate and CRL signing). Anything but P-256 is refused.
 *
 * @param pem - the key file's text.
 * @param file - the file to name in errors.
 */
export async function readP256PrivateKey(
  pem: string,
  file: string,
): Promise<{ keyObject: KeyObject; cryptoKey: webcrypto.CryptoKey }> {
  let keyObject: KeyObject
  try {
    keyObject = createPrivateKey(pem)
  } catch (error) {
    throw new MsflError('PKI', `${file}: not a private key (${(error as Error).message})`)
  }
  if (
    keyObject.asymmetricKeyType !== 'ec' ||
    keyObject.asymmetricKeyDetails?.namedCurve !== 'prime256v1'
  )
    throw new MsflError('PKI', `${file}: not an ECDSA P-256 key`)
  const pkcs8 = keyObject.export({ type: 'pkcs8', format: 'der' })
  const cryptoKey = await webcrypto.subtle.importKey('pkcs8', pkcs8, ALGORITHM, false, ['sign'])
  return { keyObject, cryptoKey }
}
