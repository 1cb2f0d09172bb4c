import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { MessageHandler } from '../../src/core/ports/transport.ts'
import { createSecaggClient } from '../../src/core/secagg/createSecaggClient.ts'
import type {
  ConsistencyRequest,
  RosterMessage,
  UnmaskRequest,
} from '../../src/core/secagg/secaggMessages.ts'
import {
  acceptKeys,
  acceptMaskedInputs,
  acceptShares,
  startSecaggServer,
} from '../../src/core/secagg/secaggServer.ts'
import type { StageReplies } from '../../src/core/secagg/secaggServerState.ts'
import { crypto, memoryTransport, randomInputs } from './secaggFixtures.ts'

/**
 * A malicious server replayed against real owner state machines (createSecaggClient over
 * the codec-checking memory transport): it runs the honest server's steps where it likes
 * and forges the messages where an active attacker would.
 */
function federation(owners: number, threshold: number, session: string) {
  const inputs = randomInputs(owners, 8, owners)
  const handlers = new Map<string, MessageHandler>(
    [...inputs].map(([clientId, input]) => [
      clientId,
      createSecaggClient({ clientId, crypto, input: () => input }),
    ]),
  )
  const transport = memoryTransport(handlers)
  const replies: { from: string; reply: unknown }[] = []
  const ask = async (requests: ReadonlyMap<string, unknown>): Promise<StageReplies> =>
    new Map(
      await Promise.all(
        [...requests].map(async ([id, m]) => {
          const reply = await transport.request(id, m as never, { deadlineMs: 60_000 })
          replies.push({ from: id, reply })
          return [id, { reply }] as const
        }),
      ),
    )
  const config = { session, clients: [...inputs.keys()], threshold, dimension: 8 }
  return { ids: [...inputs.keys()], ask, replies, config }
}

/** The honest stages up to the consistency check: every owner has sent its masked input. */
async function maskedInputsIn(f: ReturnType<typeof federation>) {
  const start = startSecaggServer({ ...f.config, quantisation: { clip: 1 } })
  const roster = acceptKeys(start.state, await f.ask(start.requests), crypto)
  const routed = acceptShares(roster.state, await f.ask(roster.requests))
  return acceptMaskedInputs(routed.state, await f.ask(routed.requests))
}

const errorOf = (reply: unknown) => {
  const r = reply as { type: string; message?: string }
  assert.equal(r.type, 'error', `expected a refusal, got ${r.type}`)
  return r.message!
}

/** No reply the server collected gives it both of any owner's secrets (b_v and s_v^SK). */
function assertNoOwnerExposed(replies: readonly { reply: unknown }[], t: number) {
  const seed = new Map<string, number>()
  const key = new Map<string, number>()
  for (const { reply } of replies) {
    const r = reply as {
      type: string
      selfMaskShares?: { of: string }[]
      secretKeyShares?: { of: string }[]
    }
    if (r.type !== 'secagg-unmask') continue
    const seeds = new Set(r.selfMaskShares!.map((s) => s.of))
    for (const s of r.secretKeyShares!) assert.ok(!seeds.has(s.of), `both shares of ${s.of}`)
    for (const id of seeds) seed.set(id, (seed.get(id) ?? 0) + 1)
    for (const s of r.secretKeyShares!) key.set(s.of, (key.get(s.of) ?? 0) + 1)
  }
  for (const [id, n] of seed)
    assert.ok(n < t || (key.get(id) ?? 0) < t, `the server holds t shares of both secrets of ${id}`)
}

describe('SecAgg against an active server', () => {
  it('owners refuse a threshold at or below half of the holders (the n = 6, t = 3 attack needs it)', async () => {
    const f = federation(6, 4, 'refuse-t')
    const start = startSecaggServer({ ...f.config, quantisation: { clip: 1 } })
    const setup = start.requests.get('do-0')!
    const replies = await f.ask(new Map([['do-0', { ...setup, threshold: 3 }]]))
    const reply = (replies.get('do-0') as { reply: unknown }).reply
    assert.match(errorOf(reply), /threshold must be an integer in 4\.\.6, more than half of the 6/)
    // With a SecAgg+ degree the bound is per neighbourhood: k = 4 → 5 holders → t ≥ 3.
    const plus = await f.ask(
      new Map([['do-1', { ...start.requests.get('do-1')!, degree: 4, threshold: 2 }]]),
    )
    assert.match(
      errorOf((plus.get('do-1') as { reply: unknown }).reply),
      /threshold must be an integer in 3\.\.5, more than half of the 5 holders .*degree \+ 1/,
    )
    assert.throws(
      () => startSecaggServer({ ...f.config, threshold: 3, quantisation: { clip: 1 } }),
      /threshold must be an integer in 4\.\.6/,
    )
  })

  it('inconsistent survivor sets (half told "all survived", half "do-0 dropped") make every owner refuse to unmask', async () => {
    const t = 4
    const f = federation(6, t, 'split-view')
    const check = await maskedInputsIn(f)
    const everyone = check.requests.get('do-0')!.survivors
    assert.deepEqual(everyone, f.ids)
    const groupA = f.ids.slice(0, 3)
    const withoutVictim = everyone.filter((id) => id !== 'do-0')
    // Consistency check: group A is shown U3 = everyone, group B U3 without do-0.
    const signatureReplies = await f.ask(
      new Map(
        f.ids.map((id) => {
          const request: ConsistencyRequest = {
            type: 'secagg-consistency-request',
            session: 'split-view',
            survivors: groupA.includes(id) ? everyone : withoutVictim,
          }
          return [id, request]
        }),
      ),
    )
    const signatures = f.ids.map((id) => ({
      clientId: id,
      signature: (signatureReplies.get(id) as { reply: { signature: Uint8Array } }).reply.signature,
    }))
    const unmask = (id: string, chosen: typeof signatures): UnmaskRequest => ({
      type: 'secagg-unmask-request',
      session: 'split-view',
      survivors: groupA.includes(id) ? everyone : withoutVictim,
      signatures: chosen,
    })
    // Forwarding every signature: each owner finds one not over the set it signed (group B
    // first meets do-0's, a signer outside the U3 it signed).
    const first = await f.ask(new Map(f.ids.map((id) => [id, unmask(id, signatures)])))
    for (const id of f.ids)
      assert.match(
        errorOf((first.get(id) as { reply: unknown }).reply),
        groupA.includes(id)
          ? /the consistency signature of "do-[345]" is not over the survivor set this client signed/
          : /consistency signature of "do-0", who is not a surviving neighbour/,
      )
    assertNoOwnerExposed(f.replies, t)
  })

  it('forwarding only the agreeing signatures leaves each group below t, and nothing is revealed', async () => {
    const t = 4
    const f = federation(6, t, 'split-quiet')
    const check = await maskedInputsIn(f)
    const everyone = check.requests.get('do-0')!.survivors
    const groupA = f.ids.slice(0, 3)
    const view = (id: string) => (groupA.includes(id) ? everyone : everyone.slice(1))
    const signed = await f.ask(
      new Map(
        f.ids.map((id) => [
          id,
          { type: 'secagg-consistency-request', session: 'split-quiet', survivors: view(id) },
        ]),
      ),
    )
    const signatureOf = (id: string) =>
      (signed.get(id) as { reply: { signature: Uint8Array } }).reply.signature
    const replies = await f.ask(
      new Map(
        f.ids.map((id) => [
          id,
          {
            type: 'secagg-unmask-request',
            session: 'split-quiet',
            survivors: view(id),
            signatures: f.ids
              .filter((other) => groupA.includes(other) === groupA.includes(id))
              .map((other) => ({ clientId: other, signature: signatureOf(other) })),
          },
        ]),
      ),
    )
    for (const id of f.ids)
      assert.match(
        errorOf((replies.get(id) as { reply: unknown }).reply),
        /only 3 neighbours signed the survivor set, fewer than the threshold 4/,
      )
    assertNoOwnerExposed(f.replies, t)
  })

  it('an unmask request that contradicts the signed U3 is refused (key share of a survivor, seed share of a non-survivor)', async () => {
    const t = 4
    const f = federation(6, t, 'contradict')
    const check = await maskedInputsIn(f)
    const everyone = check.requests.get('do-0')!.survivors
    const signed = await f.ask(check.requests)
    const signatures = f.ids.map((id) => ({
      clientId: id,
      signature: (signed.get(id) as { reply: { signature: Uint8Array } }).reply.signature,
    }))
    const base = { type: 'secagg-unmask-request', session: 'contradict', signatures }
    const replies = await f.ask(
      new Map<string, unknown>([
        // do-0 survived in the signed U3: asking do-1 as if it dropped wants s_do-0^SK.
        ['do-1', { ...base, survivors: everyone.filter((id) => id !== 'do-0') }],
        ['do-2', { ...base, survivors: [...everyone, 'do-2'] }],
        ['do-3', { ...base, survivors: everyone, signatures: [] }],
      ]),
    )
    assert.match(
      errorOf((replies.get('do-1') as { reply: unknown }).reply),
      /asks for the mask-key share of "do-0", who is in the survivor set this client signed/,
    )
    assert.match(
      errorOf((replies.get('do-2') as { reply: unknown }).reply),
      /names "do-2" a survivor twice/,
    )
    assert.match(
      errorOf((replies.get('do-3') as { reply: unknown }).reply),
      /only 0 neighbours signed the survivor set/,
    )
    // The honest request still works for the others, and reveals one share per owner.
    const honest = await f.ask(
      new Map(['do-4', 'do-5'].map((id) => [id, { ...base, survivors: everyone }])),
    )
    for (const id of ['do-4', 'do-5'])
      assert.equal((honest.get(id) as { reply: { type: string } }).reply.type, 'secagg-unmask')
    assertNoOwnerExposed(f.replies, t)
  })

  it('a swapped advertised key or credential is detected by the signatures, naming the owner', async () => {
    const f = federation(5, 3, 'swap')
    const start = startSecaggServer({ ...f.config, quantisation: { clip: 1 } })
    const roster = acceptKeys(start.state, await f.ask(start.requests), crypto)
    const honest = roster.requests.get('do-0')!
    const mine = crypto.generateKeyPair().publicKey
    const swappedKey: RosterMessage = {
      ...honest,
      peers: honest.peers.map((p) => (p.clientId === 'do-2' ? { ...p, maskKey: mine } : p)),
    }
    const stranger = crypto.identityOf('mallory')
    const swappedCredential: RosterMessage = {
      ...honest,
      peers: honest.peers.map((p) =>
        p.clientId === 'do-3' ? { ...p, credential: stranger.credential } : p,
      ),
    }
    const replies = await f.ask(
      new Map<string, unknown>([
        ['do-0', swappedKey],
        ['do-1', swappedCredential],
      ]),
    )
    assert.match(
      errorOf((replies.get('do-0') as { reply: unknown }).reply),
      /the keys advertised for "do-2" do not carry its signature \(swapped or forged by the server\)/,
    )
    assert.match(
      errorOf((replies.get('do-1') as { reply: unknown }).reply),
      /roster entry of "do-3": credential is not the key of owner "do-3"/,
    )
  })
})
