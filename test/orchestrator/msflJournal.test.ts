import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { openSqliteRunStore } from '../../src/adapters/store/index.ts'
import { readHoldPoint } from '../../src/cli/deploy/holdAt.ts'
import {
  ledgerTermsChange,
  ownerTermsChange,
  requestorTermsChange,
} from '../../src/core/deploy/msflTermsChange.ts'
import type { MsflRoundRecord } from '../../src/core/events/runEvent.ts'
import type { RoundPolicy } from '../../src/core/orchestrator/roundPolicy.ts'
import type { RunStore } from '../../src/core/ports/runStore.ts'
import type { MsflRunTerms } from '../../src/runtime/orchestrator/msflRunTerms.ts'
import { openMsflJournal } from '../../src/runtime/orchestrator/openMsflJournal.ts'

const policy: RoundPolicy = {
  rounds: 2,
  fraction: 1,
  minClients: 2,
  quorum: 1,
  roundDeadlineMs: 60_000,
  maxRoundAttempts: 1,
}
const JOB = 'ab'.repeat(32)
const owners = ['do-0', 'do-1']
const terms: MsflRunTerms = {
  job: JOB,
  chainId: 31337,
  contract: `0x${'1'.repeat(40)}`,
  fromBlock: '3',
  pricePerComponent: '1',
  parties: {
    requestor: `0x${'2'.repeat(40)}`,
    provider: `0x${'3'.repeat(40)}`,
    owners: { 'do-0': `0x${'4'.repeat(40)}`, 'do-1': `0x${'5'.repeat(40)}` },
  },
  rows: [10, 12],
}
const gradient = (round: number, clientId: string) => ({
  type: 'msfl-encrypted-gradient',
  round,
  clientId,
  ciphertexts: [new Uint8Array(8).fill(round)],
})
const fields = { accepted: 2, excluded: [], phases: {}, selectionShare: { 'do-0': 1, 'do-1': 1 } }
const record = (round: number) =>
  ({ round, selected: 2, ...fields, stragglers: [] }) as unknown as MsflRoundRecord

const dir = mkdtempSync(join(tmpdir(), 'msfl-msfl-journal-test-'))
after(() => rmSync(dir, { recursive: true, force: true }))
let stores = 0
const newStore = () => openSqliteRunStore(join(dir, `run-${stores++}.sqlite`))

async function journalOn(store: RunStore, job = JOB) {
  let clock = 1_000
  const journal = await openMsflJournal({
    store,
    runId: 'run-1',
    job,
    policy,
    self: 'provider',
    now: () => (clock += 10),
  })
  await journal.register(owners.map((name) => ({ name, role: 'data-owner', serialNumber: '0A' })))
  return journal
}

/** Round `round` all the way: both gradients, the selection, the delivery, the close. */
async function fullRound(journal: Awaited<ReturnType<typeof journalOn>>, round: number) {
  await journal.opened(round, owners)
  for (const o of owners)
    assert.equal(await journal.accepted(round, o, gradient(round, o)), 'recorded')
  await journal.collected(round, [])
  await journal.recordSelection(round, `${round}`)
  await journal.recordDelivery(round, `${round}`, [new Uint8Array([round, 1])], fields)
  await journal.closed(round, record(round))
}

describe('the MS-FL run journal on a store', () => {
  it('keeps the terms and closed rounds; an interrupted round restarts as a new attempt, its gradients counted once per attempt', async () => {
    const store = await newStore()
    try {
      const first = await journalOn(store)
      assert.equal(first.terms, undefined)
      assert.equal(first.resume, undefined)
      await first.recordTerms(terms)
      await fullRound(first, 1)
      await first.opened(2, owners)
      await first.accepted(2, 'do-0', gradient(2, 'do-0'))
      // The provider dies here, in round 2 while TRAINING.

      const second = await journalOn(store)
      assert.deepEqual(second.terms, terms)
      assert.equal(second.resume?.round, 2)
      assert.equal(second.resume?.interrupted, true)
      assert.deepEqual(
        second.resume?.history.map((r) => r.round),
        [1],
      )
      await second.restartRound('restarted')
      assert.equal(second.state().phase, 'WAITING_FOR_CLIENTS')
      assert.equal(second.state().round, 2)
      await fullRound(second, 2)
      assert.equal(second.state().phase, 'COMPLETED')

      const gradients = (await store.listMessages('run-1', 2)).filter(
        (m) => m.kind === 'msfl-gradient',
      )
      assert.deepEqual(gradients.map((m) => `${m.sender}/${m.messageId}`).sort(), [
        'do-0/msfl-gradient/1',
        'do-0/msfl-gradient/2',
        'do-1/msfl-gradient/2',
      ])
      assert.ok(
        gradients.every((m) => m.payload === undefined),
        'a gradient is kept by size only',
      )
      const delivery = await second.delivery(2, '2')
      assert.deepEqual(delivery?.ciphertexts, [new Uint8Array([2, 1])])
      assert.equal(await second.delivery(2, '9'), undefined)
    } finally {
      await store.close()
    }
  })

  it('refuses a store holding the run for another job, and malformed stored terms, naming the field', async () => {
    const store = await newStore()
    try {
      const first = await journalOn(store)
      await first.recordTerms(terms)
      await assert.rejects(journalOn(store, 'cd'.repeat(32)), /the store holds it for job ab/)
    } finally {
      await store.close()
    }
    const bad = await newStore()
    try {
      const first = await journalOn(bad)
      await first.recordTerms({ ...terms, contract: 'not an address' })
      await assert.rejects(
        journalOn(bad),
        /stored msfl-terms record is malformed.*msfl-terms\.contract/,
      )
    } finally {
      await bad.close()
    }
  })

  it("keeps the owners' agreement and the deployed contract from before the terms, and refuses them malformed", async () => {
    const store = await newStore()
    try {
      const first = await journalOn(store)
      assert.equal(first.agreement, undefined)
      assert.equal(first.contract, undefined)
      const agreement = { rows: terms.rows, scaling: { mean: [1, 2], std: [3, 4] } }
      const contract = {
        chainId: terms.chainId,
        contract: terms.contract,
        fromBlock: terms.fromBlock,
        pricePerComponent: terms.pricePerComponent,
      }
      await first.recordAgreement(agreement)
      await first.recordContract(contract)
      // The provider dies before the terms are stored: a restart finds both, and no terms.
      const second = await journalOn(store)
      assert.equal(second.terms, undefined)
      assert.equal(second.resume, undefined)
      assert.deepEqual(second.agreement, agreement)
      assert.deepEqual(second.contract, contract)
    } finally {
      await store.close()
    }
    const bad = await newStore()
    try {
      const first = await journalOn(bad)
      await first.recordContract({
        chainId: 1,
        contract: '0x12',
        fromBlock: '1',
        pricePerComponent: '2',
      })
      await assert.rejects(
        journalOn(bad),
        /stored msfl-contract record is malformed.*msfl-contract\.contract/,
      )
    } finally {
      await bad.close()
    }
  })
})

describe('run terms sent again mid-run', () => {
  const ledger = {
    chainId: 1,
    contract: `0x${'1'.repeat(40)}`,
    fromBlock: 3n,
    pricePerComponent: 5n,
  }
  const claim = (clientId: string, digit: string) =>
    ({ type: 'ledger-address', runId: 'r', clientId, address: `0x${digit.repeat(40)}` }) as never
  const requestorTerms = {
    type: 'msfl-requestor-terms' as const,
    runId: 'r',
    ledger,
    provider: claim('sp', '2'),
    owners: [claim('do-0', '3'), claim('do-1', '4')],
  }
  const key = {
    type: 'msfl-public-key',
    runId: 'r',
    clientId: 'rq',
    material: new Uint8Array([1, 2]),
  }
  const ownerTerms = {
    type: 'msfl-owner-terms' as const,
    runId: 'r',
    ledger,
    publicKey: key,
  } as never

  it('the same terms are accepted; another contract, price, address or key is named', () => {
    assert.equal(ledgerTermsChange(ledger, { ...ledger }), undefined)
    assert.match(
      ledgerTermsChange(ledger, { ...ledger, contract: `0x${'9'.repeat(40)}` })!,
      /contract changed/,
    )
    assert.match(ledgerTermsChange(ledger, { ...ledger, pricePerComponent: 6n })!, /price changed/)
    assert.equal(requestorTermsChange(requestorTerms, { ...requestorTerms }), undefined)
    assert.match(
      requestorTermsChange(requestorTerms, { ...requestorTerms, provider: claim('sp', '8') })!,
      /provider's address changed/,
    )
    assert.match(
      requestorTermsChange(requestorTerms, {
        ...requestorTerms,
        owners: [claim('do-0', '3'), claim('do-1', '7')],
      })!,
      /owners' addresses changed \(do-1\)/,
    )
    assert.equal(ownerTermsChange(ownerTerms, ownerTerms), undefined)
    assert.match(
      ownerTermsChange(ownerTerms, {
        ...(ownerTerms as object),
        publicKey: { ...key, material: new Uint8Array([1, 3]) },
      } as never)!,
      /public key changed/,
    )
  })

  it('MSFL_HOLD_AT names the MS-FL hold after a recorded selection', () => {
    assert.deepEqual(readHoldPoint({ MSFL_HOLD_AT: 'AGGREGATING:3:selected' }), {
      phase: 'AGGREGATING',
      round: 3,
      received: 0,
      selected: true,
    })
    assert.throws(() => readHoldPoint({ MSFL_HOLD_AT: 'TRAINING:3:selected' }), /MSFL_HOLD_AT/)
    assert.equal(readHoldPoint({ MSFL_HOLD_AT: 'TERMS' })?.terms, true)
    assert.deepEqual(readHoldPoint({ MSFL_HOLD_AT: 'AGGREGATING:3:delivered' }), {
      phase: 'AGGREGATING',
      round: 3,
      received: 0,
      delivered: true,
    })
    assert.throws(() => readHoldPoint({ MSFL_HOLD_AT: 'TERMS:1' }), /MSFL_HOLD_AT/)
  })
})
