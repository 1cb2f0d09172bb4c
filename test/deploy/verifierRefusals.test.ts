import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { stringify } from 'yaml'
import { loadJob } from '../../src/cli/deploy/loadJob.ts'
import {
  type LocalFederation,
  prepareLocalFederation,
} from '../../src/cli/deploy/prepareLocalFederation.ts'
import type { ProtocolMessage, Transport } from '../../src/core/ports/transport.ts'
import { relayVerifierPushes } from '../../src/runtime/smpc/relayVerifierPushes.ts'
import { runCli } from '../helpers/runCli.ts'

const open = (from: string, session = 's-round-1') => ({
  type: 'smpc-open' as const,
  session,
  step: 0,
  from,
  phase: 'mask' as const,
  share: new Int32Array(2),
})

/** A transport whose participants answer from a table; it records every delivery. */
function scripted(replies: Record<string, unknown>) {
  const delivered: { to: string; message: ProtocolMessage }[] = []
  const transport: Transport = {
    async request(to, message) {
      delivered.push({ to, message })
      return replies[to] ?? { type: 'smpc-ack', session: 's-round-1' }
    },
    stats: () => ({ requests: 0, bytesSent: 0, bytesReceived: 0 }),
  }
  return { transport, delivered }
}

const advance: ProtocolMessage = { type: 'smpc-advance', session: 's-round-1', step: 0 }
const progress = { type: 'smpc-progress', session: 's-round-1', node: 'verifier-1', step: 0 }
const relay = (sends: unknown[], session = 's-round-1') => ({
  type: 'smpc-relay',
  session,
  sends,
  reply: progress,
})
const nodes = ['verifier-1', 'verifier-2', 'verifier-3']

describe('the provider relays verifier pushes, and only those', () => {
  it('delivers each push before returning the node’s own reply', async () => {
    const { transport, delivered } = scripted({
      'verifier-1': relay([
        { to: 'verifier-2', message: open('verifier-1') },
        { to: 'verifier-3', message: open('verifier-1') },
      ]),
    })
    const reply = await relayVerifierPushes(transport, nodes).request('verifier-1', advance, {
      deadlineMs: 1000,
    })
    assert.deepEqual(reply, progress)
    assert.deepEqual(
      delivered.map((d) => `${d.to}:${d.message.type}`),
      ['verifier-1:smpc-advance', 'verifier-2:smpc-open', 'verifier-3:smpc-open'],
    )
  })

  const refused: [string, string, unknown, RegExp][] = [
    [
      'a push to a data owner',
      'verifier-1',
      relay([{ to: 'do-0', message: open('verifier-1') }]),
      /a push to "do-0", who is not one of its peers/,
    ],
    [
      'a push to itself',
      'verifier-1',
      relay([{ to: 'verifier-1', message: open('verifier-1') }]),
      /who is not one of its peers/,
    ],
    [
      'a push as another node',
      'verifier-1',
      relay([{ to: 'verifier-2', message: open('verifier-3') }]),
      /claiming to come from "verifier-3"/,
    ],
    [
      'a push of another session',
      'verifier-1',
      relay([{ to: 'verifier-2', message: open('verifier-1', 'x-round-9') }]),
      /a push for another session/,
    ],
    [
      'anything but smpc-open (a fit request to an owner)',
      'verifier-1',
      relay([{ to: 'do-0', message: { type: 'fit', runId: 'r', round: 1, params: [] } }]),
      /malformed smpc-relay message: sends\.0\.message/,
    ],
    [
      'a relay from a participant that is not a verifier',
      'do-0',
      relay([{ to: 'verifier-2', message: open('do-0') }]),
      /do-0 is not a verifier node and cannot relay/,
    ],
  ]
  for (const [name, to, reply, error] of refused)
    it(`refuses ${name}, delivering nothing`, async () => {
      const { transport, delivered } = scripted({ [to]: reply })
      await assert.rejects(
        relayVerifierPushes(transport, nodes).request(to, advance, { deadlineMs: 1000 }),
        error,
      )
      assert.equal(delivered.length, 1, 'only the request itself went out')
    })
})

describe('msfl verifier and the job it serves', () => {
  let root: string
  let federation: LocalFederation
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'msfl-verifier-test-'))
    federation = await prepareLocalFederation({
      dir: join(root, 'fed'),
      owners: 2,
      rounds: 1,
      dataset: 'adult',
      model: 'logistic',
      seed: 3,
      host: '127.0.0.1',
      verify: 'smpc:nodes=3',
    })
  })
  after(async () => {
    await rm(root, { recursive: true, force: true })
  })

  it('deploy local issues one verifier kit per node of the job', () => {
    assert.deepEqual(
      federation.verifiers.map((v) => v.name),
      ['verifier-1', 'verifier-2', 'verifier-3'],
    )
  })

  it('a data owner’s kit cannot run a verifier', () => {
    const r = runCli(['verifier', '--kit', federation.owners[0]!.kit, '--job', federation.job])
    assert.notEqual(r.status, 0)
    assert.match(r.stderr, /issued to do-0 as data-owner, this command runs a verifier/)
  })

  it('a verifier kit is refused with another job file', () => {
    const other = join(root, 'other.yaml')
    writeFileSync(other, stringify({ dataset: 'adult', clients: 2, verify: 'smpc' }))
    const r = runCli(['verifier', '--kit', federation.verifiers[0]!.kit, '--job', other])
    assert.notEqual(r.status, 0)
    assert.match(r.stderr, /is not the job this kit was issued for/)
  })

  it('a deployed job refuses ADRM with oracle labels and secret validation rows, naming the field', () => {
    const adrm = join(root, 'adrm.yaml')
    writeFileSync(adrm, stringify({ dataset: 'adult', clients: 2, defence: 'adrm:labels=oracle' }))
    assert.throws(() => loadJob(adrm), /defence: adrm:labels=oracle .* use labels=none/)
    const secret = join(root, 'secret.yaml')
    writeFileSync(
      secret,
      stringify({ dataset: 'adult', clients: 2, verify: 'smpc:validation=secret' }),
    )
    assert.throws(() => loadJob(secret), /verify: validation=secret is not available/)
  })
})
