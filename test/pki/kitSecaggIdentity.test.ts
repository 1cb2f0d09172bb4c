import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createKitSecaggIdentity, openStartupKit } from '../../src/adapters/pki/index.ts'
import { createTestFederation } from './federationFixture.ts'

describe('a deployed owner’s SecAgg identity (its kit key and certificate)', () => {
  it('accepts a fellow owner’s certificate and signature, and refuses another name, role or federation', async () => {
    const federation = await createTestFederation('fed-a')
    const a = createKitSecaggIdentity(
      await openStartupKit(await federation.kit('data-owner', 'owner-1')),
    )
    const b = createKitSecaggIdentity(
      await openStartupKit(await federation.kit('data-owner', 'owner-2')),
    )
    const requestor = createKitSecaggIdentity(
      await openStartupKit(await federation.kit('requestor', 'req-1')),
    )
    const message = new TextEncoder().encode('statement')
    const verifier = a.verifierOf('owner-2', b.credential)
    assert.ok(verifier.verify(message, b.sign(message)))
    assert.ok(!verifier.verify(message, a.sign(message)))
    assert.ok(!verifier.verify(new TextEncoder().encode('other'), b.sign(message)))
    assert.throws(
      () => a.verifierOf('owner-3', b.credential),
      /certificate of "owner-3": names "owner-2"/,
    )
    assert.throws(
      () => a.verifierOf('req-1', requestor.credential),
      /role is requestor, not data-owner/,
    )
    const other = await createTestFederation('fed-a')
    const stranger = createKitSecaggIdentity(
      await openStartupKit(await other.kit('data-owner', 'owner-2')),
    )
    assert.throws(
      () => a.verifierOf('owner-2', stranger.credential),
      /not issued by the federation CA/,
    )
    assert.throws(() => a.verifierOf('owner-2', new Uint8Array(10)), /not an X.509 certificate/)
  })
})
