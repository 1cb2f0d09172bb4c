import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MsflError } from '../../src/core/errors/msflError.ts'
import type { MessageHandler } from '../../src/core/ports/transport.ts'
import { createSecaggClient } from '../../src/core/secagg/createSecaggClient.ts'
import { startTimeout } from '../../src/runtime/rounds/collectReplies.ts'
import { runSecureAggregation } from '../../src/runtime/secagg/runSecureAggregation.ts'
import { simulateSecureAggregation } from '../../src/runtime/secagg/simulateSecureAggregation.ts'
import { type DropoutPlan, withDropout } from '../../src/runtime/secagg/withDropout.ts'
import { crypto, memoryTransport, randomInputs, recording } from './secaggFixtures.ts'

const aborted = (pattern: RegExp) => (e: unknown) =>
  e instanceof MsflError && e.code === 'PROTOCOL' && pattern.test(e.message)

/** Ten clients with handlers the test can reach after the round. */
function tenClients(dropouts: ReadonlyMap<string, DropoutPlan>) {
  const inputs = randomInputs(10, 200, 7)
  const plain = new Map<string, MessageHandler>()
  const handlers = new Map<string, MessageHandler>()
  for (const [clientId, input] of inputs) {
    const client = createSecaggClient({ clientId, crypto, input: () => input })
    plain.set(clientId, client)
    const plan = dropouts.get(clientId)
    handlers.set(clientId, plan ? withDropout(clientId, client, plan) : client)
  }
  const transport = recording(memoryTransport(handlers))
  return { inputs, plain, transport }
}

const round = (
  session: string,
  { inputs, transport }: ReturnType<typeof tenClients>,
  extra: { threshold?: number } = {},
) =>
  runSecureAggregation({
    session,
    clients: [...inputs.keys()],
    dimension: 200,
    threshold: extra.threshold ?? 7,
    quantisation: { clip: 1 },
    crypto,
    stageTimeoutMs: 10_000,
    transport,
  })

describe('below t survivors the round aborts cleanly and nothing is applied', () => {
  it('4 of 10 drop after key sharing with t = 7: abort at masked-input, survivors told to drop their secrets', async () => {
    const leaving = ['do-0', 'do-3', 'do-5', 'do-9']
    const setup = tenClients(
      new Map(leaving.map((id) => [id, { from: 'masked-input', mode: 'disconnect' } as const])),
    )
    const model = new Float64Array(200).fill(0.25)
    const before = model.slice()
    await assert.rejects(
      async () => {
        const result = await round('abort-masked', setup)
        // Never reached: a result would be applied here.
        for (let j = 0; j < model.length; j++) model[j]! += result.sum[j]!
      },
      aborted(/aborted at masked-input: 6 of 10 clients remain, threshold is 7/),
    )
    assert.deepEqual(model, before)
    const aborts = setup.transport.received.filter(
      (r) => (r.reply as { type: string }).type === 'secagg-aborted',
    )
    assert.equal(aborts.length, 6)
    // The survivors' secrets are gone: they refuse to go on with the round.
    const reply = (await setup.plain.get('do-1')!.handle({
      type: 'secagg-unmask-request',
      session: 'abort-masked',
      survivors: ['do-1', 'do-2'],
      signatures: [],
    })) as { type: string; message: string }
    assert.equal(reply.type, 'error')
    assert.match(reply.message, /not waiting for this message/)
  })

  it('too few clients advertise keys: abort before any share is made', async () => {
    const setup = tenClients(
      new Map(
        ['do-1', 'do-2', 'do-3', 'do-4'].map((id) => [
          id,
          { from: 'advertise-keys', mode: 'disconnect' } as const,
        ]),
      ),
    )
    await assert.rejects(
      round('abort-keys', setup),
      aborted(/aborted at advertise-keys: 6 of 10 clients remain, threshold is 7/),
    )
    assert.ok(
      setup.transport.sent.every((s) => (s.message as { type: string }).type !== 'secagg-roster'),
    )
  })

  it('survivors that stop answering during unmasking: abort when fewer than t reveal shares', async () => {
    const plans = new Map<string, DropoutPlan>([
      ['do-0', { from: 'masked-input', mode: 'disconnect' }],
      ['do-1', { from: 'masked-input', mode: 'disconnect' }],
      ['do-2', { from: 'unmasking', mode: 'disconnect' }],
      ['do-3', { from: 'unmasking', mode: 'disconnect' }],
    ])
    await assert.rejects(
      round('abort-unmask', tenClients(plans)),
      aborted(/aborted at unmasking: 6 survivors revealed their shares, threshold is 7/),
    )
  })

  it('one survivor silent in unmasking with t still met: its input counts, the round completes', async () => {
    const inputs = randomInputs(10, 50, 8)
    let timers = 0
    const result = await simulateSecureAggregation({
      session: 'late-unmask',
      inputs,
      threshold: 7,
      quantisation: { clip: 1 },
      crypto,
      stageTimeoutMs: 300,
      startTimer: (ms) => {
        timers += 1
        return startTimeout(ms)
      },
      dropouts: new Map([['do-4', { from: 'unmasking', mode: 'silent' }]]),
      makeTransport: memoryTransport,
    })
    assert.equal(timers, 5, 'one timer per stage')
    assert.equal(result.survivors.length, 10)
    assert.deepEqual(
      result.unmaskingDropouts.map((d) => [d.clientId, d.reason]),
      [['do-4', 'no reply before the stage timeout']],
    )
  })

  it('refuses unusable configurations before any client hears of the round', async () => {
    for (const [threshold, extra, pattern] of [
      [1, {}, /threshold must be an integer in 6..10/],
      [11, {}, /threshold must be an integer in 6..10/],
      // At or below half the holders an active server could collect both secrets of one.
      [5, {}, /threshold must be an integer in 6..10, more than half of the 10 holders/],
      [3, { degree: 3 }, /degree must be an even integer/],
      [7, { degree: 4 }, /threshold must be an integer in 3..5, .*\(degree \+ 1\)/],
      [2, { degree: 4 }, /threshold must be an integer in 3..5/],
      [
        7,
        { quantisation: { clip: 1, levels: 2 ** 30 } },
        /quantisation.levels = 1073741824 overflows/,
      ],
      [7, { clients: ['a', 'a'] }, /listed twice/],
    ] as const) {
      const setup = tenClients(new Map())
      await assert.rejects(
        runSecureAggregation({
          session: 'bad-config',
          clients: [...setup.inputs.keys()],
          dimension: 200,
          threshold,
          quantisation: { clip: 1 },
          crypto,
          stageTimeoutMs: 1000,
          transport: setup.transport,
          ...extra,
        }),
        (e: unknown) =>
          e instanceof MsflError && e.code === 'CONFIG_INVALID' && pattern.test(e.message),
      )
      assert.equal(setup.transport.sent.length, 0)
    }
  })
})
