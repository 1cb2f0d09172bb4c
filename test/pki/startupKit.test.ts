import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { chmodSync, copyFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import {
  createFederationCa,
  issueParticipant,
  openStartupKit,
  readPkiDirectory,
  revokeParticipant,
} from '../../src/adapters/pki/index.ts'
import { createTestFederation } from './federationFixture.ts'

const DAY = 86_400_000

/** The message of the MsflError `run` rejects with; fails if it resolves. */
async function refusal(run: () => Promise<unknown>): Promise<string> {
  const error = await run().then(
    () => assert.fail('expected a refusal'),
    (e: unknown) => e as Error & { code?: string },
  )
  assert.equal(error.name, 'MsflError', String(error))
  return error.message
}

describe('the federation PKI: init, issue, revoke', () => {
  it('issues kits that open to the identity, endpoint and job they were issued for', async () => {
    const fed = await createTestFederation()
    const kitDir = await fed.kit('data-owner', 'hospital-a')
    const kit = await openStartupKit(kitDir, { caFingerprint: fed.ca.caFingerprint })
    assert.deepEqual(
      { role: kit.role, name: kit.name, federation: kit.federation },
      { role: 'data-owner', name: 'hospital-a', federation: 'test-fed' },
    )
    assert.equal(kit.endpoint, 'localhost:7443')
    assert.equal(kit.job, 'adult-fedavg')
    assert.equal(kit.caFingerprint, fed.ca.caFingerprint)
    assert.equal(kit.signingKey.asymmetricKeyDetails?.namedCurve, 'prime256v1')
    assert.match(kit.tls.cert, /BEGIN CERTIFICATE/)
    assert.match(kit.tls.crl, /BEGIN X509 CRL/)
    const registry = (await readPkiDirectory(fed.dir)).registry.certificates
    assert.deepEqual(
      registry.map((e) => [e.serial, e.role, e.name, e.revoked]),
      [[kit.serial, 'data-owner', 'hospital-a', false]],
    )
  })

  it('accepts the pinned fingerprint in any case and without colons', async () => {
    const fed = await createTestFederation()
    const kitDir = await fed.kit('verifier', 'audit-1')
    const bare = fed.ca.caFingerprint.replaceAll(':', '').toLowerCase()
    assert.equal((await openStartupKit(kitDir, { caFingerprint: bare })).name, 'audit-1')
  })

  it('refuses a duplicate live name (in any role), an unknown role and an unsafe name', async () => {
    const fed = await createTestFederation()
    await fed.kit('data-owner', 'hospital-a')
    assert.match(
      await refusal(() => issueParticipant({ dir: fed.dir, role: 'verifier', name: 'hospital-a' })),
      /^name: hospital-a already holds a live certificate/,
    )
    assert.match(
      await refusal(() =>
        issueParticipant({ dir: fed.dir, role: 'admin' as 'verifier', name: 'root-1' }),
      ),
      /^role: unknown role \(valid: service-provider, requestor, data-owner, verifier, key-holder\)/,
    )
    for (const name of ['Hospital-A', 'a,OU=requestor', 'a/b', '-a', ''])
      assert.match(
        await refusal(() => issueParticipant({ dir: fed.dir, role: 'data-owner', name })),
        /^name: must be 1–63 lowercase letters/,
        name,
      )
    assert.match(
      await refusal(() =>
        issueParticipant({ dir: fed.dir, role: 'data-owner', name: 'b', hosts: ['x.org'] }),
      ),
      /^hosts: only the service-provider/,
    )
    assert.equal((await readPkiDirectory(fed.dir)).registry.certificates.length, 1)
  })

  it('revokes: the registry marks it, the signed CRL lists it and the name can be reissued', async () => {
    const fed = await createTestFederation()
    const first = await openStartupKit(await fed.kit('data-owner', 'hospital-a'))
    const revoked = await revokeParticipant({
      dir: fed.dir,
      name: 'hospital-a',
      reason: 'keyCompromise',
    })
    assert.deepEqual(
      revoked.map((e) => [e.serial, e.reason]),
      [[first.serial, 'keyCompromise']],
    )
    const pki = await readPkiDirectory(fed.dir)
    assert.deepEqual([...pki.revokedSerials], [first.serial])
    assert.equal(pki.registry.certificates[0]!.revoked, true)
    assert.match(
      await refusal(() => revokeParticipant({ dir: fed.dir, name: 'hospital-a' })),
      /^name: hospital-a has no unrevoked certificate/,
    )
    const issued = await issueParticipant({ dir: fed.dir, role: 'data-owner', name: 'hospital-a' })
    assert.notEqual(issued.serial, first.serial)
  })

  it('ends a default certificate with the CA, and refuses days that outlive it', async () => {
    const root = (await createTestFederation()).root
    const dir = join(root, 'short-pki')
    const ca = await createFederationCa({ dir, federation: 'short', days: 30 })
    const issued = await issueParticipant({ dir, role: 'requestor', name: 'lab' })
    assert.ok(issued.notAfter.getTime() <= ca.notAfter.getTime())
    assert.match(
      await refusal(() => issueParticipant({ dir, role: 'requestor', name: 'lab-2', days: 31 })),
      /^days: the certificate would outlive the CA/,
    )
  })

  it('serialises concurrent issues: none is lost, a name is issued once', async () => {
    const fed = await createTestFederation()
    const names = ['owner-1', 'owner-2', 'owner-3', 'owner-4', 'owner-5']
    await Promise.all(
      names.map((name) => issueParticipant({ dir: fed.dir, role: 'data-owner', name })),
    )
    const twice = await Promise.allSettled(
      [1, 2].map(() => issueParticipant({ dir: fed.dir, role: 'verifier', name: 'audit' })),
    )
    assert.deepEqual(
      twice.map((r) => r.status),
      ['fulfilled', 'rejected'],
    )
    const registry = (await readPkiDirectory(fed.dir)).registry.certificates
    assert.deepEqual(registry.map((e) => e.name).sort(), [...names, 'audit'].sort())
  })

  it('refuses a second process while one holds the PKI lock, and takes over a dead one', async () => {
    const fed = await createTestFederation()
    // pid 1 (init) is alive and is not us: another process holds the lock.
    writeFileSync(join(fed.dir, '.lock'), '1\n')
    assert.match(
      await refusal(() => issueParticipant({ dir: fed.dir, role: 'requestor', name: 'lab' })),
      /\.lock: another msfl pki process \(pid 1\) is changing this PKI/,
    )
    writeFileSync(join(fed.dir, '.lock'), '999999999\n')
    const issued = await issueParticipant({ dir: fed.dir, role: 'requestor', name: 'lab' })
    assert.equal(issued.identity.name, 'lab')
    assert.equal(existsSync(join(fed.dir, '.lock')), false)
  })

  it('never overwrites a CA', async () => {
    const fed = await createTestFederation()
    assert.match(
      await refusal(() => createFederationCa({ dir: fed.dir, federation: 'other' })),
      /^dir: .* is not empty/,
    )
  })

  it('writes the CA key and every kit key 0600, the PKI and kit folders 0700', async () => {
    const fed = await createTestFederation()
    const kitDir = await fed.kit('service-provider', 'server')
    const mode = (path: string) => statSync(path).mode & 0o777
    assert.equal(mode(join(fed.dir, 'ca.key.pem')), 0o600)
    assert.equal(mode(join(kitDir, 'key.pem')), 0o600)
    assert.equal(mode(fed.dir), 0o700)
    assert.equal(mode(kitDir), 0o700)
  })
})

describe('openStartupKit refuses a kit that is not exactly what the CA issued', () => {
  it('a changed manifest, naming manifest.json', async () => {
    const fed = await createTestFederation()
    const kitDir = await fed.kit('data-owner', 'hospital-a')
    const path = join(kitDir, 'manifest.json')
    writeFileSync(path, readFileSync(path, 'utf8').replace('localhost:7443', 'evil.example:443'))
    assert.match(
      await refusal(() => openStartupKit(kitDir)),
      /manifest\.json: not signed by the kit's CA/,
    )
  })

  it('a changed certificate, naming cert.pem', async () => {
    const fed = await createTestFederation()
    const kitDir = await fed.kit('data-owner', 'hospital-a')
    const other = await fed.kit('data-owner', 'hospital-b')
    copyFileSync(join(other, 'cert.pem'), join(kitDir, 'cert.pem'))
    assert.match(
      await refusal(() => openStartupKit(kitDir)),
      /cert\.pem: SHA-256 differs from the manifest/,
    )
  })

  it('a changed key, naming key.pem', async () => {
    const fed = await createTestFederation()
    const kitDir = await fed.kit('data-owner', 'hospital-a')
    const other = await fed.kit('data-owner', 'hospital-b')
    copyFileSync(join(other, 'key.pem'), join(kitDir, 'key.pem'))
    assert.match(
      await refusal(() => openStartupKit(kitDir)),
      /key\.pem: SHA-256 differs from the manifest/,
    )
  })

  it('a key file others may read, naming key.pem', async () => {
    const fed = await createTestFederation()
    const kitDir = await fed.kit('data-owner', 'hospital-a')
    chmodSync(join(kitDir, 'key.pem'), 0o644)
    assert.match(
      await refusal(() => openStartupKit(kitDir)),
      /key\.pem: mode 0644 lets others read the private key/,
    )
  })

  it("a kit from another CA when the federation's fingerprint is pinned, naming ca.pem", async () => {
    const ours = await createTestFederation()
    const theirs = await createTestFederation()
    const kitDir = await theirs.kit('data-owner', 'hospital-a')
    // The other CA's kit is internally consistent: only the pin tells it apart.
    assert.equal((await openStartupKit(kitDir)).name, 'hospital-a')
    assert.match(
      await refusal(() => openStartupKit(kitDir, { caFingerprint: ours.ca.caFingerprint })),
      /ca\.pem: CA fingerprint .* is not the pinned/,
    )
  })

  it('a kit whose CA was swapped for another one, naming manifest.json', async () => {
    const fed = await createTestFederation()
    const other = await createTestFederation()
    const kitDir = await fed.kit('data-owner', 'hospital-a')
    copyFileSync(join(other.dir, 'ca.pem'), join(kitDir, 'ca.pem'))
    assert.match(
      await refusal(() => openStartupKit(kitDir)),
      /manifest\.json: not signed by the kit's CA/,
    )
  })

  it('an expired certificate, naming cert.pem', async () => {
    const fed = await createTestFederation()
    const now = Date.now()
    const kitDir = await fed.kit('data-owner', 'hospital-a', {
      validity: { notBefore: new Date(now - 10 * DAY), notAfter: new Date(now - DAY) },
    })
    assert.match(await refusal(() => openStartupKit(kitDir)), /cert\.pem: expired on /)
  })

  it('a certificate that is not valid yet, naming cert.pem', async () => {
    const fed = await createTestFederation()
    const now = Date.now()
    const kitDir = await fed.kit('data-owner', 'hospital-a', {
      validity: { notBefore: new Date(now + DAY), notAfter: new Date(now + 10 * DAY) },
    })
    assert.match(await refusal(() => openStartupKit(kitDir)), /cert\.pem: not valid before /)
  })

  it('a revoked certificate once the current CRL is given, naming cert.pem', async () => {
    const fed = await createTestFederation()
    const kitDir = await fed.kit('data-owner', 'hospital-a')
    const kitCrl = readFileSync(join(kitDir, 'crl.pem'), 'utf8')
    await revokeParticipant({ dir: fed.dir, name: 'hospital-a' })
    const current = readFileSync(join(fed.dir, 'crl.pem'), 'utf8')
    assert.match(
      await refusal(() => openStartupKit(kitDir, { crl: current })),
      /cert\.pem: revoked \(serial [0-9A-F]+ is on the given crl\)/,
    )
    // A kit issued after the revocation carries the new CRL itself.
    const later = await fed.kit('data-owner', 'hospital-b')
    const laterKit = await openStartupKit(later)
    assert.equal(laterKit.tls.crl, current)
    // An older CRL given cannot hide the newer one the kit holds from TLS.
    assert.equal((await openStartupKit(later, { crl: kitCrl })).tls.crl, current)
  })

  it("a CRL not signed by the kit's CA", async () => {
    const fed = await createTestFederation()
    const other = await createTestFederation()
    const kitDir = await fed.kit('data-owner', 'hospital-a')
    const foreign = readFileSync(join(other.dir, 'crl.pem'), 'utf8')
    assert.match(
      await refusal(() => openStartupKit(kitDir, { crl: foreign })),
      /^crl: not signed by the federation CA/,
    )
  })

  it('lists the SHA-256 of every kit file in the signed manifest', async () => {
    const fed = await createTestFederation()
    const kitDir = await fed.kit('requestor', 'lab-1')
    const kit = await openStartupKit(kitDir)
    for (const [file, digest] of Object.entries(kit.manifest.files))
      assert.equal(
        createHash('sha256')
          .update(readFileSync(join(kitDir, file)))
          .digest('hex'),
        digest,
      )
  })
})
