import { X509Certificate } from 'node:crypto'
import { z } from 'zod'
import { MsflError } from '../../core/errors/msflError.ts'

/**
 * The SHA-256 fingerprint of a certificate in the form OpenSSL prints
 * (`AB:CD:…`, 32 colon-separated bytes): what a participant pins for its federation's CA.
 *
 * @param certificatePem - one PEM certificate.
 */
export function certificateFingerprint(certificatePem: string): string {
  return new X509Certificate(certificatePem).fingerprint256
}

/**
 * A fingerprint as a user may type it (any case, with or without colons) in the canonical
 * `AB:CD:…` form; anything that is not 32 bytes of hex is refused.
 *
 * @param fingerprint - the fingerprint to normalise.
 * @param field - what to name in the error (e.g. `--ca-fingerprint`).
 */
export function normalizeFingerprint(fingerprint: string, field: string): string {
  const hex = fingerprint.replaceAll(':', '').toUpperCase()
  if (!/^[0-9A-F]{64}$/.test(hex))
    throw new MsflError('CONFIG_INVALID', `${field}: not a SHA-256 fingerprint (64 hex digits)`)
  return hex.match(/../g)!.join(':')
}

/** A SHA-256 certificate fingerprint in canonical `AB:CD:…` form (32 bytes). */
export const fingerprintSchema = z
  .string()
  .regex(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/, 'must be a SHA-256 fingerprint AB:CD:… (32 bytes)')
