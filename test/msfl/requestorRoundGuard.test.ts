import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type CkksRequestor, createCkksRequestor } from '../../src/adapters/he-seal/index.ts'
import { createMemorySettlement } from '../../src/adapters/ledger-memory/index.ts'
import { createBlockLayout } from '../../src/core/msfl/blockLayout.ts'
import { createMsflRequestor } from '../../src/core/msfl/createMsflRequestor.ts'
import { msflRule } from '../../src/core/robust/msflComponentRule.ts'

/**
 * The requestor's side of a restarted provider's rounds (createMsflRequestor): a round is
 * selected only as the next one, a second time only once the ledger refunded its first
 * deposit, and a delivery sent again is answered without being applied twice.
 */
describe('MS-FL requestor: one deposit per round, one update per delivery', () => {
  let keys: CkksRequestor
  const layout = createBlockLayout(3, 4, 4096)
  before(async () => {
    keys = await createCkksRequestor('ckks-8192', { rotations: [1] })
  })
  after(() => keys.dispose())

  const setup = () => {
    const settlement = createMemorySettlement({ pricePerComponent: 10n, requestor: 'requestor' })
    const registered: number[] = []
    const requestor = createMsflRequestor({
      he: keys.evaluator,
      decryptor: keys.decryptor,
      layout,
      initialWeights: [new Float64Array(layout.components)],
      learningRate: 0.5,
      weightDecay: 0,
      rule: msflRule,
      f: 0,
      minOwners: 2,
      settlement: {
        ...settlement,
        registerModel: async (round, digest) => {
          registered.push(round)
          await settlement.registerModel(round, digest)
        },
      },
      modelDigest: (bytes) => new Uint8Array(32).fill(bytes.length % 251),
    })
    return { settlement, requestor, registered }
  }
  // Each owner's masked gradient: the same small value on every slot of its ciphertexts.
  const gradient = (value: number) =>
    Array.from({ length: layout.gradientCiphertexts }, () =>
      keys.evaluator.scope(() =>
        keys.evaluator.save(keys.evaluator.encrypt(new Float64Array(layout.slots).fill(value))),
      ),
    )
  const masked = (round: number) => ({
    type: 'msfl-masked-gradients',
    round,
    owners: ['do-0', 'do-1', 'do-2'],
    gradients: [gradient(0.1), gradient(0.12), gradient(0.11)],
  })
  const reply = async (r: { requestor: { handle(m: unknown): Promise<unknown> } }, m: unknown) =>
    (await r.requestor.handle(m)) as { type: string; message?: string; ledgerRound?: string }

  it('selects only the next round, and a round again only after its deposit was refunded', async () => {
    const run = setup()
    const early = await reply(run, masked(2))
    assert.equal(early.type, 'error')
    assert.match(early.message!, /round 2 cannot be selected: the next round is 1/)
    const first = await reply(run, masked(1))
    assert.equal(first.type, 'msfl-selection')
    // A provider asking again while the first deposit is still funded gets no second one.
    const again = await reply(run, masked(1))
    assert.equal(again.type, 'error')
    assert.match(
      again.message!,
      /round 1 was selected already \(ledger round .* is funded, not refunded\): no second deposit/,
    )
    // Once the provider declined it (the whole deposit refunded), the round is selected anew.
    await run.settlement.decline(first.ledgerRound!, 'restarted')
    const rerun = await reply(run, masked(1))
    assert.equal(rerun.type, 'msfl-selection')
    assert.notEqual(rerun.ledgerRound, first.ledgerRound)
    // The refunded selection is closed: its aggregate is refused.
    const stale = await reply(run, {
      type: 'msfl-aggregate',
      round: 1,
      ledgerRound: first.ledgerRound,
      ciphertexts: gradient(0.3),
    })
    assert.match(stale.message!, /no open selection for round 1/)
  })

  it('applies a delivery once: the same delivery again is answered, the model moves once', async () => {
    const run = setup()
    const selection = await reply(run, masked(1))
    const aggregate = {
      type: 'msfl-aggregate',
      round: 1,
      ledgerRound: selection.ledgerRound,
      ciphertexts: gradient(0.33),
    }
    assert.equal((await reply(run, aggregate)).type, 'msfl-round-closed')
    const after = run.requestor.weights()[0]!.slice()
    assert.ok(
      after.some((w) => w !== 0),
      'the first delivery moved the model',
    )
    // A restarted provider that cannot tell whether it arrived sends it again.
    assert.equal((await reply(run, aggregate)).type, 'msfl-round-closed')
    assert.deepEqual(run.requestor.weights()[0], after)
    assert.deepEqual(run.registered, [1])
    // The next round is 2 now; round 1 cannot be paid for again.
    assert.match((await reply(run, masked(1))).message!, /the next round is 2/)
    assert.equal((await reply(run, masked(2))).type, 'msfl-selection')
  })
})
