import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { before, describe, it } from 'node:test'
import { createCkksRequestor } from '../../src/adapters/he-seal/index.ts'
import { createMemoryTransport } from '../../src/adapters/transport/index.ts'
import { msflAdapters } from '../../src/cli/executeMsflSimulation.ts'
import type { DatasetSplit } from '../../src/core/data/dataset.ts'
import type { RunEvent } from '../../src/core/events/runEvent.ts'
import type { MessageHandler } from '../../src/core/ports/transport.ts'
import { planMsflRun } from '../../src/runtime/config/planRun.ts'
import { simulationConfigSchema } from '../../src/runtime/config/simulationConfig.ts'
import { runMsflSimulation } from '../../src/runtime/runMsflSimulation.ts'
import { loadAdultSlice } from '../helpers/adultSlice.ts'

let adult: DatasetSplit
before(async () => {
  adult = await loadAdultSlice(2000, 1000)
})

/** A message of the feature-scaling agreement that precedes the rounds. */
const isAgreement = (message: unknown) =>
  /^(secagg-|feature-)/.test(String((message as { type?: unknown }).type))

const config = (overrides: Record<string, unknown> = {}) =>
  simulationConfigSchema.parse({
    dataset: 'adult',
    protocol: 'msfl',
    clients: 5,
    rounds: 2,
    msfl: { batchSize: 64 },
    ...overrides,
  })

/** Runs the protocol with a transport that records every message and can swap handlers. */
async function run(
  overrides: Record<string, unknown> = {},
  wrap?: (id: string, h: MessageHandler) => MessageHandler,
) {
  const messages: { to: string; message: unknown }[] = []
  const events: RunEvent[] = []
  const result = await runMsflSimulation({
    runId: 'test',
    plan: planMsflRun(config(overrides)),
    data: adult,
    adapters: {
      ...msflAdapters,
      createTransport: (handlers) => {
        // The job's feature-scaling agreement (SecAgg, feature-*) runs before the rounds;
        // `wrap` tampers with the rounds only.
        const wrapped = new Map(
          [...handlers].map(([id, h]): [string, MessageHandler] => {
            if (!wrap) return [id, h]
            const tampered = wrap(id, h)
            return [id, { handle: (m) => (isAgreement(m) ? h.handle(m) : tampered.handle(m)) }]
          }),
        )
        const inner = createMemoryTransport({ handlers: wrapped })
        return {
          request: (to, message, options) => {
            messages.push({ to, message })
            return inner.request(to, message, options)
          },
          stats: inner.stats,
        }
      },
    },
    emit: (e) => events.push(e),
    now: () => 0,
  })
  return { result, messages, events }
}

describe('MS-FL protocol on CKKS', () => {
  // One clean 3-round run, read by the training test and by the privacy test (what each
  // party was sent); started once, on first use.
  let clean: ReturnType<typeof run> | undefined
  const cleanRun = () => {
    clean ??= run({ rounds: 3 })
    return clean
  }

  it('trains, stays close to the plaintext-arithmetic run, and records the CKKS error', async () => {
    const { result } = await cleanRun()
    assert.equal(result.history.length, 3)
    for (const r of result.history) {
      assert.ok(r.ckksError! < 1e-4, `CKKS error ${r.ckksError}`)
      assert.equal(r.accepted, 5)
      for (const phase of ['model', 'owners', 'mask', 'select', 'aggregate', 'update'])
        assert.ok(phase in r.phases!, phase)
    }
    assert.ok(Math.abs(result.final.accuracy! - result.plaintextFinal.accuracy!) < 0.005)
  })

  it('runs multi-krum on global-scale masked gradients: whole owners selected, same as in the clear', async () => {
    const { result, events } = await run({
      aggregator: 'multi-krum',
      attack: 'label-flip',
      malicious: 0.2,
      msfl: { batchSize: 64, mask: 'global-scale' },
    })
    assert.ok(Math.abs(result.final.accuracy! - result.plaintextFinal.accuracy!) < 0.005)
    const components = 117
    for (const round of [1, 2]) {
      const paid = events.filter((e) => e.type === 'payment-made' && e.round === round)
      // m = n − f = 4 owners, each counted on every component.
      const amounts = paid.map((e) => (e as { amount: string }).amount).filter((a) => a !== '0')
      assert.deepEqual(amounts, Array(4).fill(String(components)), `round ${round}`)
    }
    await assert.rejects(
      run({ aggregator: 'cosine-clustering', msfl: { batchSize: 64, mask: 'component' } }),
      /global-scale/,
    )
  })

  it('ADRM at the requestor flags label flippers on global-scale masked gradients; they are selected and paid nowhere', async () => {
    const { result, events } = await run({
      clients: 7,
      aggregator: 'multi-krum',
      attack: 'label-flip',
      malicious: 0.29,
      defence: 'adrm',
      msfl: { batchSize: 64, mask: 'global-scale' },
    })
    const attackers = [...result.attackers.keys()]
    assert.equal(attackers.length, 2)
    const flagged = events.filter((e) => e.type === 'update-flagged' && e.round === 1)
    assert.deepEqual(
      flagged.map((e) => (e as { clientId: string }).clientId).sort(),
      attackers.sort(),
    )
    assert.equal(result.defence!.detection!.recall, 1)
    for (const id of attackers) assert.equal(result.ledger.payouts[id] ?? 0n, 0n, `${id} unpaid`)
    const honestPaid = Object.entries(result.ledger.payouts).filter(([, a]) => a > 0n)
    assert.equal(honestPaid.length, 5)
    assert.ok(Math.abs(result.final.accuracy! - result.plaintextFinal.accuracy!) < 0.005)
  })

  it('privacy: owners only ever receive ciphertexts; the requestor only masked individual gradients', async () => {
    const { messages } = await cleanRun()
    // Before the rounds, the owners agree on the feature scaling: one SecAgg session over
    // their statistics, then the agreed scaling (public to the job), nothing else.
    const agreement = messages.filter((m) => isAgreement(m.message))
    assert.deepEqual(
      [...new Set(agreement.map((m) => (m.message as { type: string }).type))].sort(),
      [
        'feature-scaling',
        'secagg-consistency-request',
        'secagg-masked-input-request',
        'secagg-roster',
        'secagg-setup',
        'secagg-unmask-request',
      ],
    )
    assert.ok(agreement.every((m) => m.to.startsWith('do-')))
    const toOwners = messages.filter((m) => m.to.startsWith('do-') && !isAgreement(m.message))
    assert.ok(toOwners.length > 0)
    for (const { message } of toOwners) {
      const keys = Object.keys(message as object).sort()
      assert.deepEqual(keys, ['ciphertexts', 'round', 'type'])
      assert.ok(
        (message as { ciphertexts: unknown[] }).ciphertexts.every((c) => c instanceof Uint8Array),
      )
    }
    const toRequestor = messages
      .filter((m) => m.to === 'model-requestor')
      .map((m) => (m.message as { type: string }).type)
    assert.deepEqual([...new Set(toRequestor)].sort(), [
      'msfl-aggregate',
      'msfl-masked-gradients',
      'msfl-model-request',
    ])
  })

  it('privacy: the service-provider code never names a decryptor or the requestor keys', () => {
    const source = readFileSync('src/runtime/runMsflProtocol.ts', 'utf8')
    assert.doesNotMatch(source, /HeDecryptor|decrypt\(|createCkksRequestor|secretKey/)
    const owner = readFileSync('src/core/msfl/createMsflDataOwner.ts', 'utf8')
    assert.doesNotMatch(owner, /HeDecryptor|decrypt\(/)
  })

  it('a data owner that sends garbage, truncated, foreign or miscounted ciphertexts is excluded and the round completes', async () => {
    // Other parameters: a ckks-8192 ciphertext where ckks-16384 is expected.
    const foreign = await createCkksRequestor('ckks-8192', { rotations: [1] })
    const foreignBytes = foreign.evaluator.save(foreign.evaluator.encrypt(new Float64Array(8)))
    foreign.dispose()
    const bad: Record<
      string,
      (reply: { ciphertexts: Uint8Array[] } & Record<string, unknown>) => unknown
    > = {
      'do-0': (r) => ({
        ...r,
        ciphertexts: r.ciphertexts.map((c) => c.subarray(0, c.length >> 1)),
      }),
      'do-1': (r) => ({
        ...r,
        ciphertexts: r.ciphertexts.map((c) => c.map((_, i) => (i * 7919) & 0xff)),
      }),
      'do-2': (r) => ({ ...r, ciphertexts: [...r.ciphertexts, ...r.ciphertexts] }),
      'do-3': (r) => ({ ...r, ciphertexts: r.ciphertexts.map(() => foreignBytes) }),
    }
    const { result, events } = await run({ clients: 8, rounds: 1 }, (id, h) =>
      bad[id]
        ? { handle: async (m) => bad[id]!((await h.handle(m)) as { ciphertexts: Uint8Array[] }) }
        : h,
    )
    const rejected = new Map(
      events.filter((e) => e.type === 'update-rejected').map((e) => [e.clientId, e.reason]),
    )
    assert.match(rejected.get('do-0')!, /invalid ciphertext/)
    assert.match(rejected.get('do-1')!, /invalid ciphertext/)
    assert.match(rejected.get('do-2')!, /ciphertexts, expected/)
    assert.match(rejected.get('do-3')!, /invalid ciphertext/)
    assert.equal(result.history[0]!.accepted, 4)
  })
})
