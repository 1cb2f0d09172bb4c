import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { before, describe, it } from 'node:test'
import { createEvmLedger } from '../../src/adapters/ledger-evm/index.ts'
import { createMemoryTransport } from '../../src/adapters/transport/index.ts'
import { msflAdapters } from '../../src/cli/executeMsflSimulation.ts'
import type { DatasetSplit } from '../../src/core/data/dataset.ts'
import type { RunEvent } from '../../src/core/events/runEvent.ts'
import { checkCommittedTable } from '../../src/core/msfl/checkCommittedTable.ts'
import {
  assertMinOwners,
  dropThinComponents,
  findThinComponent,
} from '../../src/core/msfl/minOwners.ts'
import {
  assertMsflSelectionRule,
  selectContributions,
  selectScreened,
} from '../../src/core/msfl/selectContributions.ts'
import type { ContributionTable } from '../../src/core/ports/settlement.ts'
import { createSeededRng } from '../../src/core/rng/seededRng.ts'
import { createRobustRule } from '../../src/core/robust/createRobustRule.ts'
import { planMsflRun } from '../../src/runtime/config/planRun.ts'
import { simulationConfigSchema } from '../../src/runtime/config/simulationConfig.ts'
import { runMsflSimulation } from '../../src/runtime/runMsflSimulation.ts'
import { loadAdultSlice } from '../helpers/adultSlice.ts'

describe('k owners per component: the rule (pure)', () => {
  it('k below 2 is refused, in the config (naming the field) and in the core', () => {
    const parsed = simulationConfigSchema.safeParse({ protocol: 'msfl', msfl: { minOwners: 1 } })
    assert.equal(parsed.success, false)
    assert.deepEqual(parsed.error?.issues[0]?.path, ['msfl', 'minOwners'])
    assert.equal(simulationConfigSchema.parse({ protocol: 'msfl' }).msfl.minOwners, 2)
    for (const k of [1, 0, 2.5, Number.NaN]) assert.throws(() => assertMinOwners(k), /minOwners/)
    assertMinOwners(2)
  })

  it('a component of 1 to k − 1 owners is thin; empty and ≥ k components are not', () => {
    // 3 owners × 4 components: counts 3, 1, 0, 2.
    // biome-ignore format: one row per component
    const selected = Uint8Array.from([
      1, 1, 1,
      0, 1, 0,
      0, 0, 0,
      1, 0, 1,
    ])
    assert.deepEqual(findThinComponent(selected, 3, 2), { component: 1, owners: 1 })
    assert.deepEqual(findThinComponent(selected, 3, 3), { component: 1, owners: 1 })
    const copy = selected.slice()
    assert.equal(dropThinComponents(copy, 3, 3), 2, 'components 1 and 3 hold fewer than 3')
    assert.deepEqual([...copy], [1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    assert.equal(findThinComponent(copy, 3, 3), undefined)
  })

  it('Krum, which selects one owner, and Multi-Krum with m < k are refused under MS-FL', () => {
    assert.throws(
      () => assertMsflSelectionRule(createRobustRule('krum', { f: 1 }), 'global-scale', 2),
      /krum selects one owner/,
    )
    assert.throws(
      () =>
        assertMsflSelectionRule(createRobustRule('multi-krum:m=2', { f: 1 }), 'global-scale', 3),
      /m = 2 aggregates fewer owners than msfl.minOwners = 3/,
    )
    assertMsflSelectionRule(createRobustRule('multi-krum:m=3', { f: 1 }), 'global-scale', 3)
    assertMsflSelectionRule(createRobustRule('multi-krum', { f: 1 }), 'global-scale', 2)
  })

  it('screening never leaves a component below k: 500 random rounds, every rule, any set-aside', () => {
    const rng = createSeededRng(13)
    let emptied = 0
    let thinBeforeGuard = 0
    for (let trial = 0; trial < 500; trial++) {
      const t = 5 + Math.floor(rng.next() * 4)
      const f = 1
      const k = 2 + Math.floor(rng.next() * 3)
      const components = 6
      const values = Array.from({ length: t }, () =>
        Float64Array.from({ length: components }, () => rng.normal()),
      )
      const name = ['msfl', 'multi-krum', 'cosine-clustering'][trial % 3]!
      const rule = createRobustRule(name, { f })
      // ADRM may set aside any subset but the whole round (refused separately).
      const aside = new Set(values.map((_, i) => i).filter(() => rng.next() < 0.35))
      if (aside.size === t) aside.delete(0)
      // What screening alone would leave: the case the guard exists for.
      const raw = selectContributions(rule, values, f)
      for (const i of aside) for (let j = 0; j < components; j++) raw[j * t + i] = 0
      if (findThinComponent(raw, t, k) !== undefined) thinBeforeGuard++
      let selected: Uint8Array
      try {
        selected = selectScreened(rule, values, f, (i) => aside.has(i), k)
      } catch (error) {
        assert.match(String(error), /no component keeps \d selected owners/)
        emptied++
        continue
      }
      assert.equal(findThinComponent(selected, t, k), undefined, `trial ${trial}`)
      for (const i of aside)
        for (let j = 0; j < components; j++) assert.equal(selected[j * t + i], 0)
    }
    assert.ok(
      thinBeforeGuard > 50,
      `${thinBeforeGuard} rounds had a thin component before the guard`,
    )
    assert.ok(emptied < 250, `${emptied} rounds with nothing left`)
  })

  it("ADRM setting aside all but one of a component's owners empties it instead of releasing one owner", () => {
    // Multi-Krum m = 3 selects owners 0, 1, 2 everywhere; 1 and 2 are set aside: owner 0 alone.
    const values = [0, 1, 2, 3, 4].map((i) =>
      i < 3 ? Float64Array.of(i * 0.01, 1 + i * 0.01, 2) : Float64Array.of(i === 3 ? 5 : -5, 5, -5),
    )
    const rule = createRobustRule('multi-krum:m=3', { f: 1 })
    const before = selectScreened(rule, values, 1, () => false, 2)
    assert.deepEqual([...before.subarray(0, 5)], [1, 1, 1, 0, 0], 'owners 0, 1, 2 selected')
    assert.throws(
      () => selectScreened(rule, values, 1, (i) => i === 1 || i === 2, 2),
      /no component keeps 2 selected owners/,
    )
    // With k = 2 and only owner 2 set aside, owners 0 and 1 remain: released.
    const kept = selectScreened(rule, values, 1, (i) => i === 2, 2)
    assert.deepEqual([...kept.subarray(0, 5)], [1, 1, 0, 0, 0])
  })

  it('the service provider refuses a table with a one-owner column, other owners or another size', () => {
    const owners = ['do-0', 'do-1', 'do-2']
    const table = (selected: number[]): ContributionTable => ({
      round: 1,
      owners,
      components: 2,
      selected: Uint8Array.from(selected),
    })
    const expected = { owners, components: 2, minOwners: 2 }
    assert.equal(checkCommittedTable(table([1, 1, 0, 0, 1, 1]), expected), undefined)
    assert.equal(checkCommittedTable(table([1, 1, 1, 0, 0, 0]), expected), undefined)
    assert.equal(
      checkCommittedTable(table([1, 1, 1, 0, 1, 0]), expected),
      'component 1 sums 1 owner, fewer than msfl.minOwners = 2',
    )
    assert.match(
      checkCommittedTable(
        { ...table([1, 1, 0, 1, 1, 0]), owners: ['do-0', 'do-2', 'do-1'] },
        expected,
      ) ?? '',
      /other owners/,
    )
    assert.match(
      checkCommittedTable(table([1, 1, 0, 1, 1, 0]), { ...expected, components: 3 }) ?? '',
      /has 2 components, the round has 3/,
    )
  })
})

type EvmLedger = Awaited<ReturnType<typeof createEvmLedger>>

let adult: DatasetSplit
before(async () => {
  adult = await loadAdultSlice(1500, 500)
})

/**
 * One MS-FL round on CKKS and the in-process EVM whose requestor commits `tamper(table)`
 * instead of its honest table (it keeps the honest deposit, so the round is funded).
 */
async function runWithTamperedTable(tamper: (table: ContributionTable) => ContributionTable) {
  const events: RunEvent[] = []
  const toRequestor: string[] = []
  let chain: EvmLedger | undefined
  let opened: { id: string; deposit: bigint } | undefined
  let escrowAtClose: bigint | undefined
  const outcome = await runMsflSimulation({
    runId: 'min-owners',
    plan: planMsflRun(
      simulationConfigSchema.parse({
        dataset: 'adult',
        protocol: 'msfl',
        clients: 3,
        rounds: 1,
        msfl: { batchSize: 64, mask: 'global-scale' },
        aggregator: 'multi-krum',
      }),
    ),
    data: adult,
    adapters: {
      ...msflAdapters,
      createLedger: async (spec) => {
        const ledger = await createEvmLedger({
          chain: { kind: 'evm' },
          seed: randomBytes(32),
          owners: spec.owners,
          pricePerComponent: spec.pricePerComponent,
        })
        chain = ledger
        return {
          kind: 'evm',
          settlement: {
            ...ledger.settlement,
            async openRound(table, deposit) {
              const id = await ledger.settlement.openRound(tamper(table), deposit)
              opened = { id, deposit }
              return id
            },
          },
          escrowBalance: () => ledger.chain.getBalance(ledger.contract.address),
          async close() {
            escrowAtClose = await ledger.chain.getBalance(ledger.contract.address)
          },
        }
      },
      createTransport: (handlers) => {
        const inner = createMemoryTransport({ handlers })
        return {
          request: (to, message, options) => {
            if (to === 'model-requestor') toRequestor.push((message as { type: string }).type)
            return inner.request(to, message, options)
          },
          stats: inner.stats,
        }
      },
    },
    emit: (e) => events.push(e),
    now: () => 0,
  }).then(
    () => undefined,
    (error: unknown) => error,
  )
  try {
    assert.ok(chain && opened, 'the round was opened on the chain')
    const record = await chain.contract.record(BigInt(opened.id))
    const status = (await chain.contract.roundState(BigInt(opened.id))).status
    return { outcome, events, toRequestor, opened, record, status, escrowAtClose }
  } finally {
    await chain?.close()
  }
}

/** Every component selects owner 0 only: what Krum's one-owner selection commits. */
const krumTable = (table: ContributionTable): ContributionTable => {
  const t = table.owners.length
  const selected = new Uint8Array(table.selected.length)
  for (let j = 0; j < table.components; j++) selected[j * t] = 1
  return { ...table, selected }
}

describe('k owners per component: the service provider does not trust the requestor (CKKS, in-process EVM)', () => {
  it("Krum under global-scale cannot release a single owner's gradient: refused before any key exists", async () => {
    const events: RunEvent[] = []
    // The run plan refuses it, so the simulation never starts.
    await assert.rejects(
      async () =>
        runMsflSimulation({
          runId: 'krum',
          plan: planMsflRun(
            simulationConfigSchema.parse({
              dataset: 'adult',
              protocol: 'msfl',
              clients: 5,
              rounds: 1,
              aggregator: 'krum',
              msfl: { batchSize: 64, mask: 'global-scale' },
            }),
          ),
          data: adult,
          adapters: {
            ...msflAdapters,
            createRequestor: () => assert.fail('no CKKS key may be made for a Krum run'),
          },
          emit: (e) => events.push(e),
          now: () => 0,
        }),
      /krum selects one owner/,
    )
    assert.equal(events.length, 0)
  })

  it("a requestor that commits Krum's one-owner table is declined: nothing released, nobody paid, the deposit refunded on chain", async () => {
    const run = await runWithTamperedTable(krumTable)
    assert.match(
      String(run.outcome),
      /declined \(component 0 sums 1 owner, fewer than msfl\.minOwners = 2\)/,
    )
    const declined = run.events.filter((e) => e.type === 'table-declined')
    assert.equal(declined.length, 1)
    assert.equal((declined[0] as { ledgerRound: string }).ledgerRound, run.opened.id)
    assert.ok(!run.toRequestor.includes('msfl-aggregate'), 'no aggregate reached the requestor')
    assert.equal(run.events.filter((e) => e.type === 'payment-made').length, 0)
    // On chain: Declined with the reason, the whole deposit Refunded to the requestor, no delivery.
    assert.ok(run.opened.deposit > 0n)
    assert.equal(run.status, 'refunded')
    assert.match(run.record.declined?.reason ?? '', /fewer than msfl\.minOwners = 2/)
    assert.deepEqual(
      run.record.refunded.map((e) => e.amount),
      [run.opened.deposit],
    )
    assert.equal(run.record.delivered, undefined)
    assert.deepEqual(run.record.paid, [])
    assert.equal(run.escrowAtClose, 0n, 'the contract holds nothing after the refusal')
  })
})
