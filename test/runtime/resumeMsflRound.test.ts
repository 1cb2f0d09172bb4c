import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { openSqliteRunStore } from '../../src/adapters/store/index.ts'
import type { RoundPolicy } from '../../src/core/orchestrator/roundPolicy.ts'
import type { SettlementStatus } from '../../src/core/ports/settlement.ts'
import type { ProtocolMessage, Transport } from '../../src/core/ports/transport.ts'
import { resumeMsflRound } from '../../src/runtime/deploy/resumeMsflRound.ts'
import { openMsflJournal } from '../../src/runtime/orchestrator/openMsflJournal.ts'

const policy: RoundPolicy = {
  rounds: 2,
  fraction: 1,
  minClients: 2,
  quorum: 1,
  roundDeadlineMs: 60_000,
  maxRoundAttempts: 1,
}
const owners = ['do-0', 'do-1']
const fields = { accepted: 2, excluded: [], phases: {}, selectionShare: { 'do-0': 1, 'do-1': 1 } }
const terms = { chainId: 1, contract: `0x${'1'.repeat(40)}`, fromBlock: 0n, pricePerComponent: 1n }

const dir = mkdtempSync(join(tmpdir(), 'msfl-resume-round-test-'))
after(() => rmSync(dir, { recursive: true, force: true }))
let stores = 0

/**
 * A journal stopped in round 1 while AGGREGATING, its selection (ledger round 7) recorded and,
 * when `delivered`, its aggregate recorded before the delivery.
 */
async function stoppedInAggregation(delivered: boolean) {
  const store = await openSqliteRunStore(join(dir, `run-${stores++}.sqlite`))
  let clock = 1_000
  const open = () =>
    openMsflJournal({
      store,
      runId: 'run-1',
      job: 'ab'.repeat(32),
      policy,
      self: 'provider',
      now: () => (clock += 10),
    })
  const first = await open()
  await first.recordTerms({
    job: 'ab'.repeat(32),
    chainId: 1,
    contract: terms.contract,
    fromBlock: '0',
    pricePerComponent: '1',
    parties: {
      requestor: `0x${'2'.repeat(40)}`,
      provider: `0x${'3'.repeat(40)}`,
      owners: { 'do-0': `0x${'4'.repeat(40)}`, 'do-1': `0x${'5'.repeat(40)}` },
    },
    rows: [10, 10],
  })
  await first.register(owners.map((name) => ({ name, role: 'data-owner', serialNumber: '0A' })))
  await first.opened(1, owners)
  for (const o of owners)
    await first.accepted(1, o, { ciphertexts: [new Uint8Array([1])], clientId: o, round: 1 })
  await first.collected(1, [])
  await first.recordSelection(1, '7')
  if (delivered) await first.recordDelivery(1, '7', [new Uint8Array([9, 9])], fields)
  return { store, journal: await open() }
}

function fakes(rounds: { ledgerRound: string; status: SettlementStatus }[]) {
  const declined: string[] = []
  const sent: ProtocolMessage[] = []
  const transport: Transport = {
    async request(_to, message) {
      sent.push(message)
      return { type: 'msfl-round-closed', round: 1, accuracy: 0.8, loss: 0.4 }
    },
    stats: () => ({ requests: 0, bytesSent: 0, bytesReceived: 0 }),
  }
  return {
    declined,
    sent,
    parameters: {
      runId: 'run-1',
      round: 1,
      owners,
      requestor: 'requestor',
      requestorAddress: `0x${'2'.repeat(40)}`,
      transport,
      ledger: { protocolRounds: async () => rounds },
      terms,
      settlement: {
        async decline(ledgerRound: string) {
          declined.push(ledgerRound)
          return 5n
        },
      },
      deadlineMs: 1_000,
    },
  }
}

describe('a restarted MS-FL provider settles the interrupted round on the ledger first', () => {
  it('a funded, undelivered round is declined (refunded) and the round runs again from its request', async () => {
    const { store, journal } = await stoppedInAggregation(false)
    try {
      const f = fakes([{ ledgerRound: '7', status: 'funded' }])
      const closed = await resumeMsflRound({ ...f.parameters, journal })
      assert.equal(closed, undefined)
      assert.deepEqual(f.declined, ['7'])
      assert.deepEqual(f.sent, [], 'nothing goes to the requestor')
      assert.equal(journal.state().phase, 'WAITING_FOR_CLIENTS')
      assert.equal(journal.state().round, 1)
    } finally {
      await store.close()
    }
  })

  it('a delivered round is not re-run: its stored aggregate goes to the requestor again and the round closes', async () => {
    const { store, journal } = await stoppedInAggregation(true)
    try {
      const f = fakes([{ ledgerRound: '7', status: 'delivered' }])
      const closed = await resumeMsflRound({ ...f.parameters, journal })
      assert.equal(closed?.round, 1)
      assert.equal(closed?.test.accuracy, 0.8)
      assert.deepEqual(f.declined, [])
      assert.deepEqual(f.sent, [
        {
          type: 'msfl-aggregate',
          round: 1,
          ledgerRound: '7',
          ciphertexts: [new Uint8Array([9, 9])],
        },
      ])
      assert.equal(journal.state().round, 2, 'round 1 closed')
      assert.equal(journal.state().phase, 'WAITING_FOR_CLIENTS')
    } finally {
      await store.close()
    }
  })

  it('a delivered round whose aggregate the store lacks fails naming why', async () => {
    const lost = await stoppedInAggregation(false)
    try {
      const f = fakes([{ ledgerRound: '7', status: 'delivered' }])
      await assert.rejects(
        resumeMsflRound({ ...f.parameters, journal: lost.journal }),
        /delivered on the ledger \(round 7\) but the store holds no aggregate/,
      )
    } finally {
      await lost.store.close()
    }
  })
})
