import { randomBytes } from 'node:crypto'

/**
 * A certificate serial: 16 bytes from the CSPRNG (RFC 5280 allows 20; CA/B Forum asks for
 * 64 random bits), as uppercase hex. The first byte is kept in 0x01–0x7F so the DER INTEGER
 * is positive and has no leading zero, and OpenSSL, node:crypto and the CRL all print it
 * identically.
 */
export function randomSerial(): string {
  const bytes = randomBytes(16)
  bytes[0] = (bytes[0]! & 0x7f) | 0x01
  return bytes.toString('hex').toUpperCase()
}
