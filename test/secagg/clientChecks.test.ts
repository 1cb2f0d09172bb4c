import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { MessageHandler } from '../../src/core/ports/transport.ts'
import { createSecaggClient } from '../../src/core/secagg/createSecaggClient.ts'
import type { RosterMessage } from '../../src/core/secagg/secaggMessages.ts'
import {
  acceptConsistency,
  acceptKeys,
  acceptMaskedInputs,
  acceptShares,
  startSecaggServer,
} from '../../src/core/secagg/secaggServer.ts'
import type { StageReplies } from '../../src/core/secagg/secaggServerState.ts'
import { crypto, randomInputs } from './secaggFixtures.ts'

/** Drives five clients through the server's pure steps, with no transport in between. */
async function fiveClients(session: string) {
  const inputs = randomInputs(5, 20, 2)
  const clients = new Map<string, MessageHandler>(
    [...inputs].map(([clientId, input]) => [
      clientId,
      createSecaggClient({ clientId, crypto, input: () => input }),
    ]),
  )
  const ask = async (requests: ReadonlyMap<string, unknown>): Promise<StageReplies> =>
    new Map(
      await Promise.all(
        [...requests].map(
          async ([id, m]) => [id, { reply: await clients.get(id)!.handle(m) }] as const,
        ),
      ),
    )
  const start = startSecaggServer({
    session,
    clients: [...inputs.keys()],
    threshold: 3,
    dimension: 20,
    quantisation: { clip: 1 },
  })
  return { clients, ask, start }
}

const expectError = (reply: unknown, pattern: RegExp) => {
  const r = reply as { type: string; message: string }
  assert.equal(r.type, 'error', JSON.stringify(r))
  assert.match(r.message, pattern)
}

describe('a client checks what the server tells it', () => {
  it('refuses parameters that could overflow or reveal its input, malformed messages and a reused session', async () => {
    const { clients, start } = await fiveClients('checks-setup')
    const client = clients.get('do-0')!
    const setup = start.requests.get('do-0')!
    expectError(
      await client.handle({ ...setup, levels: 2 ** 30 }),
      /refusing .* quantisation.levels = 1073741824 overflows/,
    )
    expectError(
      await client.handle({ ...setup, session: 's2', threshold: 1 }),
      /secagg-setup|threshold/,
    )
    expectError(
      await client.handle({ ...setup, session: 's3', threshold: 6 }),
      /threshold must be an integer in 3..5/,
    )
    expectError(
      await client.handle({ type: 'secagg-roster', session: 'x', peers: 'all' }),
      /secagg.peers/,
    )
    const fresh = clients.get('do-1')!
    assert.equal(
      ((await fresh.handle(start.requests.get('do-1'))) as { type: string }).type,
      'secagg-keys',
    )
    expectError(await fresh.handle(start.requests.get('do-1')), /already used/)
  })

  it('refuses a roster that misstates its own keys, carries an unsigned key or is below t', async () => {
    const { clients, ask, start } = await fiveClients('checks-roster')
    const roster = acceptKeys(start.state, await ask(start.requests), crypto)
    const own = roster.requests.get('do-0')!
    const swapped: RosterMessage = {
      ...own,
      peers: own.peers.map((p) =>
        p.clientId === 'do-0' ? { ...p, maskKey: own.peers[1]!.maskKey } : p,
      ),
    }
    expectError(
      await clients.get('do-0')!.handle(swapped),
      /the keys advertised for "do-0" do not carry its signature/,
    )
    const r1 = roster.requests.get('do-1')!
    const foreign = crypto.generateKeyPair().publicKey
    expectError(
      await clients.get('do-1')!.handle({
        ...r1,
        peers: r1.peers.map((p) => (p.clientId === 'do-1' ? { ...p, maskKey: foreign } : p)),
      }),
      /the keys advertised for "do-1" do not carry its signature/,
    )
    const r2 = roster.requests.get('do-2')!
    expectError(
      await clients
        .get('do-2')!
        .handle({ ...r2, peers: r2.peers.filter((p) => ['do-2', 'do-3'].includes(p.clientId)) }),
      /roster leaves 2 clients in this client's neighbourhood, fewer than the threshold 3/,
    )
  })

  it('signs one survivor set, and reveals one kind of share per peer, once: never both for the same client', async () => {
    const { clients, ask, start } = await fiveClients('checks-unmask')
    const roster = acceptKeys(start.state, await ask(start.requests), crypto)
    const routed = acceptShares(roster.state, await ask(roster.requests))
    const check = acceptMaskedInputs(routed.state, await ask(routed.requests))
    const request = check.requests.get('do-0')!
    expectError(
      await clients
        .get('do-0')!
        .handle({ ...request, survivors: [...request.survivors, 'stranger'] }),
      /names "stranger" a survivor, but it is not in the signed roster/,
    )
    // That refusal ended do-0's round; the checks below use the others.
    expectError(
      await clients.get('do-1')!.handle({ ...request, survivors: ['do-0', 'do-2', 'do-3'] }),
      /does not count this client among the survivors/,
    )
    expectError(
      await clients.get('do-2')!.handle({ ...request, survivors: ['do-3', 'do-2', 'do-4'] }),
      /not in index order or repeats a client \(at "do-2"\)/,
    )
    const live = ['do-3', 'do-4']
    const signed = new Map(
      await Promise.all(
        live.map(async (id) => [id, { reply: await clients.get(id)!.handle(request) }] as const),
      ),
    )
    // Two signatures of five: the server cannot go on below t = 3.
    assert.throws(
      () => acceptConsistency(check.state, signed),
      /aborted at consistency-check: 2 of 5/,
    )
  })

  it('reveals only after t signatures over its U3, once', async () => {
    const { clients, ask, start } = await fiveClients('checks-reveal')
    const roster = acceptKeys(start.state, await ask(start.requests), crypto)
    const routed = acceptShares(roster.state, await ask(roster.requests))
    const check = acceptMaskedInputs(routed.state, await ask(routed.requests))
    const unmask = acceptConsistency(check.state, await ask(check.requests))
    const request = unmask.requests.get('do-3')!
    const honest = (await clients.get('do-3')!.handle(request)) as {
      type: string
      selfMaskShares: { of: string }[]
      secretKeyShares: { of: string }[]
    }
    assert.equal(honest.type, 'secagg-unmask')
    assert.equal(honest.selfMaskShares.length, 5)
    assert.equal(honest.secretKeyShares.length, 0)
    // A second request claiming do-4 dropped would yield s_do-4^SK next to b_do-4: refused.
    expectError(
      await clients
        .get('do-3')!
        .handle({ ...request, survivors: ['do-0', 'do-1', 'do-2', 'do-3'] }),
      /not waiting for this message/,
    )
    // A signature altered in transit is named.
    const r4 = unmask.requests.get('do-4')!
    const forged = r4.signatures.map((s) =>
      s.clientId === 'do-1'
        ? { ...s, signature: s.signature.map((b, i) => (i === 5 ? b ^ 1 : b)) }
        : s,
    )
    expectError(
      await clients.get('do-4')!.handle({ ...r4, signatures: forged }),
      /the consistency signature of "do-1" is not over the survivor set this client signed/,
    )
  })
})
