import { randomBytes } from 'node:crypto'

/**
 * A certificate serial: 16 bytes from the CSPRNG (RFC 5280 allows 20; CA/B Forum asks for
 * 64 random bits), as uppercase hex: 126 random bits. The first byte is kept in 0x40–0x7F
 * so the DER INTEGER is positive and no form of it starts with a zero digit, and OpenSSL,
 * node:crypto and the CRL all print it identically.
 */
export function randomSerial(): string {
  const bytes = randomBytes(16)
  bytes[0] = (bytes[0]! & 0x3f) | 0x40
  return bytes.toString('hex').toUpperCase()
}
