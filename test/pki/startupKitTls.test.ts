import assert from 'node:assert/strict'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { describe, it } from 'node:test'
import tls from 'node:tls'
import {
  openStartupKit,
  readPeerIdentity,
  readPkiDirectory,
  revokeParticipant,
  type StartupKit,
} from '../../src/adapters/pki/index.ts'
import { createTestFederation } from './federationFixture.ts'

interface Exchange {
  /** What the client read before the connection ended ('' when refused). */
  readonly reply: string
  /** Whether the server's connection handler ran (false: TLS refused the client). */
  readonly accepted: boolean
  /** The OpenSSL verification code of the client certificate, when the server saw one. */
  readonly authorizationError?: string
}

/**
 * A TLS 1.3 server with the service provider's kit (client certificate required, `crl` on)
 * answering each client with the identity it read from the client's certificate, and one
 * client connecting with `client`'s TLS material. With `rejectUnauthorized: false` the
 * server sees the verification error and reports it instead (the refusal's reason).
 */
async function exchange(
  server: StartupKit,
  crl: string,
  client: StartupKit['tls'],
  rejectUnauthorized = true,
): Promise<Exchange> {
  let accepted = false
  let authorizationError: string | undefined
  const listener = tls.createServer(
    {
      key: server.tls.key,
      cert: server.tls.cert,
      ca: server.tls.ca,
      crl,
      requestCert: true,
      rejectUnauthorized,
      minVersion: 'TLSv1.3',
    },
    (socket) => {
      accepted = true
      if (!socket.authorized) {
        authorizationError = String(socket.authorizationError)
        socket.destroy()
        return
      }
      const peer = readPeerIdentity(socket.getPeerCertificate().raw)
      socket.end(`${peer.role}/${peer.name} ${socket.getProtocol()}`)
    },
  )
  listener.on('tlsClientError', () => {})
  listener.listen(0, '127.0.0.1')
  await once(listener, 'listening')
  try {
    const socket = tls.connect({
      host: '127.0.0.1',
      port: (listener.address() as AddressInfo).port,
      servername: 'localhost',
      ...client,
      minVersion: 'TLSv1.3',
    })
    let reply = ''
    socket.setEncoding('utf8').on('data', (chunk: string) => {
      reply += chunk
    })
    // A refused client sees a reset or an early end; the reply (none) is what counts.
    socket.on('error', () => {})
    await new Promise((resolve) => socket.on('close', resolve))
    return { reply, accepted, authorizationError }
  } finally {
    listener.close()
  }
}

describe('startup kits work with node:tls (mutual TLS 1.3 with the CRL)', () => {
  it('connects two valid kits; the server reads the client identity from its certificate', async () => {
    const fed = await createTestFederation()
    const server = await openStartupKit(await fed.kit('service-provider', 'server'))
    const owner = await openStartupKit(await fed.kit('data-owner', 'hospital-a'))
    const result = await exchange(server, server.tls.crl, owner.tls)
    assert.deepEqual(result, {
      reply: 'data-owner/hospital-a TLSv1.3',
      accepted: true,
      authorizationError: undefined,
    })
  })

  it('refuses a revoked client once the server has the new CRL, as CERT_REVOKED', async () => {
    const fed = await createTestFederation()
    const server = await openStartupKit(await fed.kit('service-provider', 'server'))
    const owner = await openStartupKit(await fed.kit('data-owner', 'hospital-a'))
    await revokeParticipant({ dir: fed.dir, name: 'hospital-a', reason: 'keyCompromise' })
    const { crlPem } = await readPkiDirectory(fed.dir)
    // The revoked owner still holds its old kit (and the old CRL that came with it).
    assert.deepEqual(await exchange(server, crlPem, owner.tls), {
      reply: '',
      accepted: false,
      authorizationError: undefined,
    })
    const seen = await exchange(server, crlPem, owner.tls, false)
    assert.equal(seen.authorizationError, 'CERT_REVOKED')
    assert.equal(seen.reply, '')
    // With the CRL from before the revocation the same server lets it in: the CRL refuses it.
    assert.equal(
      (await exchange(server, server.tls.crl, owner.tls)).reply,
      'data-owner/hospital-a TLSv1.3',
    )
  })

  it('refuses a client whose certificate comes from another CA of the same federation name', async () => {
    const fed = await createTestFederation()
    const other = await createTestFederation()
    const server = await openStartupKit(await fed.kit('service-provider', 'server'))
    const stranger = await openStartupKit(await other.kit('data-owner', 'hospital-a'))
    // The stranger knows the federation's CA and CRL (they are public) but not its key.
    const client = { ...stranger.tls, ca: server.tls.ca, crl: server.tls.crl }
    const refused = await exchange(server, server.tls.crl, client)
    assert.equal(refused.reply, '')
    assert.equal(refused.accepted, false)
    // Both CAs are named for federation test-fed: OpenSSL finds an issuer by that name and
    // refuses the signature, not merely an unknown name.
    const seen = await exchange(server, server.tls.crl, client, false)
    assert.equal(seen.authorizationError, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE')
  })
})
