import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MsflError } from '../../src/core/errors/msflError.ts'
import { createSecaggClient } from '../../src/core/secagg/createSecaggClient.ts'
import {
  buildNeighbourhoods,
  isConnectedAmong,
  type Neighbourhoods,
} from '../../src/core/secagg/neighbourhoods.ts'
import type {
  RosterMessage,
  SharesMessage,
  UnmaskMessage,
} from '../../src/core/secagg/secaggMessages.ts'
import {
  acceptKeys,
  acceptMaskedInputs,
  acceptShares,
  startSecaggServer,
} from '../../src/core/secagg/secaggServer.ts'
import type { StageReplies } from '../../src/core/secagg/secaggServerState.ts'
import { simulateSecureAggregation } from '../../src/runtime/secagg/simulateSecureAggregation.ts'
import {
  clippedSum,
  crypto,
  maxDeviation,
  memoryTransport,
  type RecordingTransport,
  randomInputs,
  recording,
} from './secaggFixtures.ts'

describe('SecAgg+ neighbourhood graph', () => {
  it('is a k-regular, symmetric, connected Harary graph on a fresh random order each time', () => {
    const graph = buildNeighbourhoods(100, 10, crypto.randomBytes)
    assert.equal(graph.size, 100)
    for (const [u, neighbours] of graph) {
      assert.equal(neighbours.length, 10)
      assert.equal(new Set(neighbours).size, 10)
      assert.ok(!neighbours.includes(u))
      for (const v of neighbours) assert.ok(graph.get(v)!.includes(u), `${u}–${v} symmetric`)
    }
    const all = new Set(graph.keys())
    assert.ok(isConnectedAmong(all, graph))
    const again = buildNeighbourhoods(100, 10, crypto.randomBytes)
    assert.notDeepEqual([...again], [...graph])
    const complete = buildNeighbourhoods(5, null, crypto.randomBytes)
    assert.deepEqual(complete.get(3), [1, 2, 4, 5])
  })

  it('connectivity among survivors is checked (a cut ring exposes partial sums)', () => {
    // The cycle 1–2–3–4–5–6–1: without 1 and 4, {2, 3} and {5, 6} fall apart.
    const ring: Neighbourhoods = new Map([
      [1, [2, 6]],
      [2, [1, 3]],
      [3, [2, 4]],
      [4, [3, 5]],
      [5, [4, 6]],
      [6, [1, 5]],
    ])
    assert.ok(isConnectedAmong(new Set([2, 3, 4, 5, 6]), ring))
    assert.ok(!isConnectedAmong(new Set([2, 3, 5, 6]), ring))
  })

  it('the server aborts when dropouts split the survivors’ graph in two', async () => {
    const inputs = randomInputs(6, 10, 4)
    const ids = [...inputs.keys()]
    const clients = new Map(
      [...inputs].map(([clientId, input]) => [
        clientId,
        createSecaggClient({ clientId, crypto, input: () => input }),
      ]),
    )
    const ask = async (
      requests: ReadonlyMap<string, unknown>,
      skip: ReadonlySet<string> = new Set(),
    ) =>
      new Map(
        await Promise.all(
          [...requests]
            .filter(([id]) => !skip.has(id))
            .map(async ([id, m]) => [id, { reply: await clients.get(id)!.handle(m) }] as const),
        ),
      ) as StageReplies
    // Degree 2: the graph is a 6-cycle; two clients opposite each other cut it in two.
    const start = startSecaggServer({
      session: 'cut',
      clients: ids,
      threshold: 2,
      dimension: 10,
      quantisation: { clip: 1 },
      degree: 2,
    })
    // The graph is drawn from the signed roster, so it is known once keys are in.
    const roster = acceptKeys(start.state, await ask(start.requests), crypto)
    const a = 1
    const distance = new Map([[a, 0]])
    const queue = [a]
    while (queue.length > 0) {
      const u = queue.shift()!
      for (const v of roster.state.graph.get(u)!)
        if (!distance.has(v)) {
          distance.set(v, distance.get(u)! + 1)
          queue.push(v)
        }
    }
    const opposite = [...distance].find(([, d]) => d === 3)![0]
    const routed = acceptShares(roster.state, await ask(roster.requests))
    const gone = new Set([ids[a - 1]!, ids[opposite - 1]!])
    const replies = await ask(routed.requests, gone)
    assert.throws(
      () => acceptMaskedInputs(routed.state, replies),
      (e: unknown) =>
        e instanceof MsflError &&
        /aborted at masked-input: the survivors. neighbourhood graph is disconnected/.test(
          e.message,
        ),
    )
  })

  it('100 clients, k = 60, t = 31, 30 % drop after key sharing: the survivors’ sum within the bound', async () => {
    const inputs = randomInputs(100, 1000, 60)
    const ids = [...inputs.keys()]
    const leaving = ids.filter((_, i) => i % 10 >= 7)
    let view!: RecordingTransport
    const result = await simulateSecureAggregation({
      session: 'secagg-plus-100',
      inputs,
      threshold: 31,
      degree: 60,
      quantisation: { clip: 1 },
      crypto,
      stageTimeoutMs: 60_000,
      dropAfterKeySharing: leaving,
      makeTransport: (handlers) => {
        view = recording(memoryTransport(handlers))
        return view
      },
    })
    const survivors = ids.filter((id) => !leaving.includes(id))
    assert.deepEqual(result.survivors, survivors)
    const exact = clippedSum(inputs, survivors, 1)
    assert.ok(maxDeviation(result.sum, exact.sum) <= result.errorBound + exact.floatError)
    // Every client gets the whole signed roster (to redraw the graph from it), but shares
    // with and reveals for only its 60 neighbours and itself.
    const rosters = view.sent
      .map((s) => s.message as RosterMessage)
      .filter((m) => m.type === 'secagg-roster')
    assert.equal(rosters.length, 100)
    assert.ok(rosters.every((m) => m.peers.length === 100))
    let unmasked = 0
    for (const { reply } of view.received) {
      const m = reply as UnmaskMessage | SharesMessage
      if (m.type === 'secagg-shares') assert.equal(m.shares.length, 60)
      if (m.type === 'secagg-unmask') {
        assert.equal(m.selfMaskShares.length + m.secretKeyShares.length, 61)
        unmasked += 1
      }
    }
    assert.equal(unmasked, 70)
  })
})
