import assert from 'node:assert/strict'
import type { ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { builtinJobSchema } from '../../src/adapters/data/index.ts'
import { openStartupKit } from '../../src/adapters/pki/index.ts'
import { createNodeSecaggCrypto } from '../../src/adapters/secagg-crypto/index.ts'
import {
  type FederationServer,
  startFederationServer,
} from '../../src/adapters/transport-grpc/index.ts'
import { loadJob } from '../../src/cli/deploy/loadJob.ts'
import {
  type LocalFederation,
  prepareLocalFederation,
} from '../../src/cli/deploy/prepareLocalFederation.ts'
import { parseDatasetSpec } from '../../src/core/data/parseDatasetSpec.ts'
import { createTabularEncoder } from '../../src/core/data/tabularEncoder.ts'
import type { ProtocolMessage } from '../../src/core/ports/transport.ts'
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
import { spawnOwner } from '../helpers/ownerProcess.ts'

/**
 * Issue 16, acceptance 2: Bonawitz et al.'s active-server attacks, replayed by a test server
 * (the real gRPC endpoint with the provider's kit, driving the secure-aggregation stages by
 * hand) against real `msfl owner` processes, each with only its own kit and CSV file. The
 * session is the job's first one, the owners' feature statistics: the same SecAgg client
 * every protected round uses.
 */
describe('SecAgg against an active server, with every owner its own OS process', () => {
  const owners = 6
  const t = 4
  let root: string
  let federation: LocalFederation
  let server: FederationServer
  let runId: string
  const children: ChildProcess[] = []
  const logs = new Map<string, string>()

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'msfl-active-server-'))
    federation = await prepareLocalFederation({
      dir: join(root, 'fed'),
      owners,
      rounds: 1,
      dataset: 'adult',
      model: 'logistic',
      seed: 9,
      host: '127.0.0.1',
    })
    runId = loadJob(federation.job).runId
    const kit = await openStartupKit(federation.providerKit)
    const [host, port] = federation.endpoint.split(':')
    server = await startFederationServer({
      host: host!,
      port: Number(port),
      tls: kit.tls,
      run: runId,
    })
    for (const owner of federation.owners) {
      const child = spawnOwner(federation, owner, ['ignore', 'ignore', 'pipe'])
      logs.set(owner.name, '')
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
        logs.set(owner.name, logs.get(owner.name) + chunk)
      })
      children.push(child)
    }
    await server.waitForPeers(
      federation.owners.map((o) => o.name),
      { deadlineMs: 120_000 },
    )
  })

  after(async () => {
    // Tell every owner the run is over, then stop whatever is left (only these pids).
    await Promise.all(
      federation.owners.map((o) =>
        server.transport
          .request(
            o.name,
            { type: 'run-ended', runId, outcome: 'failed', message: 'attack test over' },
            { deadlineMs: 10_000 },
          )
          .catch(() => undefined),
      ),
    )
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve()
            const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
            child.once('exit', () => {
              clearTimeout(timer)
              resolve()
            })
          }),
      ),
    )
    await server.close()
    await rm(root, { recursive: true, force: true })
  })

  it('a swapped advertised key is detected by its owner’s signature; an inconsistent survivor set makes every owner refuse to unmask, revealing nothing', {
    timeout: 300_000,
  }, async () => {
    const crypto = createNodeSecaggCrypto()
    const session = `${runId}/feature-statistics`
    const scaling = createTabularEncoder(builtinJobSchema(parseDatasetSpec('adult')).columns)
      .scaling!
    const ids = federation.owners.map((o) => o.name)
    const received: { from: string; reply: unknown }[] = []
    const ask = async (requests: ReadonlyMap<string, unknown>): Promise<StageReplies> =>
      new Map(
        await Promise.all(
          [...requests].map(async ([id, message]) => {
            const reply = await server.transport.request(id, message as ProtocolMessage, {
              deadlineMs: 60_000,
            })
            received.push({ from: id, reply })
            return [id, { reply }] as const
          }),
        ),
      )
    const start = startSecaggServer({
      session,
      clients: ids,
      threshold: t,
      dimension: 1 + 2 * scaling.features.length,
      quantisation: { clip: 20_000 },
    })
    const roster = acceptKeys(start.state, await ask(start.requests), crypto)

    // 1. do-0 is shown do-2's advertisement with the server's own key in it.
    const honest = roster.requests.get('do-0')!
    const swapped: RosterMessage = {
      ...honest,
      peers: honest.peers.map((p) =>
        p.clientId === 'do-2' ? { ...p, maskKey: crypto.generateKeyPair().publicKey } : p,
      ),
    }
    const rosterReplies = await ask(
      new Map([...roster.requests].map(([id, m]) => [id, id === 'do-0' ? swapped : m])),
    )
    assert.match(
      errorOf(replyOf(rosterReplies, 'do-0')),
      /the keys advertised for "do-2" do not carry its signature \(swapped or forged by the server\)/,
    )

    // 2. The others go on; at the consistency check the server shows half of them
    // "everyone survived" and the other half "do-1 dropped", hoping to collect both do-1's
    // self-mask seed shares (from the first group) and its key shares (from the second).
    const routed = acceptShares(roster.state, rosterReplies)
    const check = acceptMaskedInputs(routed.state, await ask(routed.requests))
    const survivors = check.requests.get('do-1')!.survivors
    assert.deepEqual(survivors, ids.slice(1), 'do-0 refused, the other five went on')
    const groupA = ['do-1', 'do-2']
    const withoutVictim = survivors.filter((id) => id !== 'do-1')
    const shown = (id: string) => (groupA.includes(id) ? survivors : withoutVictim)
    const signed = await ask(
      new Map(
        survivors.map((id) => {
          const request: ConsistencyRequest = {
            type: 'secagg-consistency-request',
            session,
            survivors: shown(id),
          }
          return [id, request]
        }),
      ),
    )
    const signatures = survivors.map((id) => ({
      clientId: id,
      signature: (replyOf(signed, id) as { signature: Uint8Array }).signature,
    }))
    const unmasked = await ask(
      new Map(
        survivors.map((id) => {
          const request: UnmaskRequest = {
            type: 'secagg-unmask-request',
            session,
            survivors: shown(id),
            signatures,
          }
          return [id, request]
        }),
      ),
    )
    for (const id of survivors)
      assert.match(
        errorOf(replyOf(unmasked, id)),
        groupA.includes(id)
          ? /the consistency signature of "do-[345]" is not over the survivor set this client signed/
          : /consistency signature of "do-1", who is not a surviving neighbour/,
        `${id} refuses to unmask`,
      )
    // Over the whole session no owner process released both secrets of anyone.
    for (const { reply } of received)
      assert.notEqual((reply as { type: string }).type, 'secagg-unmask', 'nothing was unmasked')
    // Forged messages are refused, never fatal: every owner process is still connected.
    assert.deepEqual(
      server
        .peers()
        .map((p) => p.name)
        .sort(),
      ids,
    )
    for (const child of children) assert.equal(child.exitCode, null)
  })
})

function replyOf(replies: StageReplies, id: string): unknown {
  const outcome = replies.get(id)
  assert.ok(outcome && 'reply' in outcome, `${id} answered`)
  return outcome.reply
}

function errorOf(reply: unknown): string {
  const r = reply as { type: string; message?: string }
  assert.equal(r.type, 'error', `expected a refusal, got ${r.type}`)
  return r.message!
}
