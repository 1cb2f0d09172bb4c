import 'reflect-metadata'
import assert from 'node:assert/strict'
import { webcrypto, X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import * as x509 from '@peculiar/x509'
import { readPeerIdentity } from '../../src/adapters/pki/index.ts'
import { createTestFederation } from './federationFixture.ts'

/**
 * A certificate with any subject and SAN URIs, self-signed: readPeerIdentity reads names
 * only (TLS checked the chain), so the issuer does not matter here.
 */
async function certificateWith(subject: string, uris: readonly string[]): Promise<string> {
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' }
  const keys = await webcrypto.subtle.generateKey(algorithm, false, ['sign', 'verify'])
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: subject,
    keys,
    signingAlgorithm: algorithm,
    extensions:
      uris.length === 0
        ? []
        : [new x509.SubjectAlternativeNameExtension(uris.map((value) => ({ type: 'url', value })))],
  })
  return certificate.toString('pem')
}

function refusedWith(pem: string, pattern: RegExp): void {
  assert.throws(
    () => readPeerIdentity(pem),
    (error: Error & { code?: string }) =>
      error.name === 'MsflError' && error.code === 'PKI' && pattern.test(error.message),
  )
}

describe('readPeerIdentity', () => {
  it('reads role, name and federation from an issued certificate in PEM, DER or parsed form', async () => {
    const fed = await createTestFederation('hospitals')
    const kitDir = await fed.kit('data-owner', 'hospital-a')
    const pem = readFileSync(join(kitDir, 'cert.pem'), 'utf8')
    const want = { federation: 'hospitals', role: 'data-owner', name: 'hospital-a' }
    assert.deepEqual(readPeerIdentity(pem), want)
    assert.deepEqual(readPeerIdentity(new X509Certificate(pem).raw), want)
    assert.deepEqual(readPeerIdentity(new X509Certificate(pem)), want)
  })

  it('refuses a certificate whose OU disagrees with its SAN URI', async () => {
    const pem = await certificateWith('CN=hospital-a, OU=data-owner, O=fed', [
      'msfl://fed/requestor/hospital-a',
    ])
    refusedWith(pem, /SAN URI msfl:\/\/fed\/requestor\/hospital-a disagrees with the subject/)
  })

  it('refuses a certificate whose CN or O disagrees with its SAN URI', async () => {
    refusedWith(
      await certificateWith('CN=hospital-a, OU=data-owner, O=fed', [
        'msfl://fed/data-owner/hospital-b',
      ]),
      /disagrees with the subject/,
    )
    refusedWith(
      await certificateWith('CN=hospital-a, OU=data-owner, O=fed', [
        'msfl://other/data-owner/hospital-a',
      ]),
      /disagrees with the subject/,
    )
  })

  it('refuses an unknown role even when subject and SAN agree', async () => {
    refusedWith(
      await certificateWith('CN=root, OU=admin, O=fed', ['msfl://fed/admin/root']),
      /subject OU "admin": unknown role/,
    )
  })

  it('refuses no SAN URI, two SAN URIs, two OUs, or an extra subject attribute', async () => {
    refusedWith(
      await certificateWith('CN=a, OU=verifier, O=fed', []),
      /exactly one msfl:\/\/ SAN URI, has 0/,
    )
    refusedWith(
      await certificateWith('CN=a, OU=verifier, O=fed', [
        'msfl://fed/verifier/a',
        'msfl://fed/requestor/a',
      ]),
      /exactly one msfl:\/\/ SAN URI, has 2/,
    )
    refusedWith(
      await certificateWith('CN=a, OU=verifier, OU=requestor, O=fed', ['msfl://fed/verifier/a']),
      /exactly one OU, has 2/,
    )
    refusedWith(
      await certificateWith('CN=a, OU=verifier, O=fed, L=Paris', ['msfl://fed/verifier/a']),
      /attributes other than CN, OU and O \(L\)/,
    )
  })

  it('refuses the CA certificate itself (its CN is not a node id, it has no role)', async () => {
    const fed = await createTestFederation()
    refusedWith(
      readFileSync(join(fed.dir, 'ca.pem'), 'utf8'),
      /^peer certificate: subject CN must be/,
    )
  })

  it('refuses bytes that are not a certificate', () => {
    refusedWith('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', /not an X\.509/)
  })
})
